"""The Redmine 5.0 REST dialect: ``handle(state, request) -> response``.

Importing the endpoint modules registers their routes on the shared router.
"""

from __future__ import annotations

from pmcockpit.sim.dialects import Dialect
from pmcockpit.sim.dialects.redmine import issues, projects, users
from pmcockpit.sim.dialects.redmine.core import Call, handle, router

PRODUCT = "Redmine 5.0"


def auth_headers(token: str) -> dict[str, str]:
    return {"X-Redmine-API-Key": token}


DIALECT = Dialect(name="redmine", product=PRODUCT, handle=handle, auth_headers=auth_headers)

__all__ = ["DIALECT", "PRODUCT", "Call", "auth_headers", "handle", "issues", "projects",
           "router", "users"]
