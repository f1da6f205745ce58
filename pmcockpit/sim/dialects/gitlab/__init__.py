"""The GitLab REST API v4 dialect (GitLab 17.5 EE): ``handle(state, request) -> response``.

Importing the endpoint modules registers their routes on the shared router.
:func:`~pmcockpit.sim.dialects.gitlab.facts.gitlab_facts` gives what GitLab keeps
beside the shared state (deactivated users, group access levels, its own throttle).
"""

from __future__ import annotations

from pmcockpit.sim.dialects import Dialect
from pmcockpit.sim.dialects.gitlab import admin, groups, issues, notes, projects, users
from pmcockpit.sim.dialects.gitlab.core import API_PREFIX, Call, handle, router
from pmcockpit.sim.dialects.gitlab.facts import GitLabFacts, gitlab_facts

PRODUCT = "GitLab 17.5 (REST API v4)"


def auth_headers(token: str) -> dict[str, str]:
    return {"PRIVATE-TOKEN": token}


DIALECT = Dialect(name="gitlab", product=PRODUCT, handle=handle, auth_headers=auth_headers)

__all__ = [
    "API_PREFIX",
    "DIALECT",
    "PRODUCT",
    "Call",
    "GitLabFacts",
    "admin",
    "auth_headers",
    "gitlab_facts",
    "groups",
    "handle",
    "issues",
    "notes",
    "projects",
    "router",
    "users",
]
