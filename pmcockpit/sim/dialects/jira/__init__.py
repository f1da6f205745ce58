"""The Jira Cloud REST API v3 dialect, with Atlassian's organisation admin API beside it.

``handle(state, request)`` answers ``/rest/api/3/...`` (and the same operations under
``/rest/api/2/...``, with plain-text rich fields) as Jira Cloud and
``/admin/v1/...`` as the admin API (its own Bearer key). Importing the endpoint
modules registers their routes.

A client logs in as the state's ``admin`` account: ``ADMIN_EMAIL`` with the
state's token. :func:`connector_options` gives the connection options that reach
everything, admin API included (its key among them: options built here are for
a connector's config at run time, never for storage).
"""

from __future__ import annotations

import base64

from pmcockpit.sim.dialects import Dialect
from pmcockpit.sim.dialects.jira import edit, issues, projects, search, users
from pmcockpit.sim.dialects.jira.admin import (
    ADMIN_PATH_PREFIX,
    AdminAccess,
    admin_access,
    handle_admin,
)
from pmcockpit.sim.dialects.jira.core import (
    ADMIN_EMAIL,
    ADMIN_GROUP_NAME,
    JiraCall,
    account_id,
    error,
    group_id,
    handle_rest,
    issue_key,
    project_keys,
    router,
)
from pmcockpit.sim.http import SimRequest, SimResponse
from pmcockpit.sim.state import ToolState

PRODUCT = "Jira Cloud (REST API v3)"


def basic_auth(email: str, token: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{email}:{token}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def auth_headers(token: str) -> dict[str, str]:
    """The admin account's login; other users need ``basic_auth`` with their e-mail."""
    return basic_auth(ADMIN_EMAIL, token)


def handle(state: ToolState, request: SimRequest) -> SimResponse:
    if request.path.startswith(ADMIN_PATH_PREFIX):
        return handle_admin(state, request)
    if not request.path.startswith("/rest/"):
        return error(404, "Not found").response
    return handle_rest(state, request)


def connector_options(state: ToolState, url: str) -> dict[str, str]:
    """What a Jira connection to this simulator needs besides its URL and token."""
    access = admin_access(state)
    return {"email": ADMIN_EMAIL, "admin_org_id": access.org_id,
            "admin_api_key": access.api_key, "admin_url": url}


DIALECT = Dialect(name="jira", product=PRODUCT, handle=handle, auth_headers=auth_headers,
                  connector_options=connector_options)

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_GROUP_NAME",
    "DIALECT",
    "PRODUCT",
    "AdminAccess",
    "JiraCall",
    "account_id",
    "admin_access",
    "auth_headers",
    "basic_auth",
    "connector_options",
    "edit",
    "group_id",
    "handle",
    "issue_key",
    "issues",
    "project_keys",
    "projects",
    "router",
    "search",
    "users",
]
