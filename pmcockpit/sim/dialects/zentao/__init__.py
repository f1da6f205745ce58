"""The ZenTao RESTful API v1 dialect (open-source edition 16.0+).

Importing the endpoint modules registers their routes on the shared router.
"""

from __future__ import annotations

from pmcockpit.sim.dialects import Dialect
from pmcockpit.sim.dialects.zentao import bugs, users, work, work_actions
from pmcockpit.sim.dialects.zentao.core import ZenTaoFacts, handle, password_of, zentao_facts
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

PRODUCT = "ZenTao 18 (open source)"


def auth_headers(token: str) -> dict[str, str]:
    """A session token from ``POST /tokens`` (the sim's admin token is one too)."""
    return {"Token": token}


def connector_options(state: ToolState, url: str) -> dict[str, str]:
    return {"account": ADMIN_LOGIN}


DIALECT = Dialect(name="zentao", product=PRODUCT, handle=handle, auth_headers=auth_headers,
                  connector_options=connector_options)

__all__ = ["DIALECT", "PRODUCT", "ZenTaoFacts", "auth_headers", "bugs", "handle",
           "password_of", "users", "work", "work_actions", "zentao_facts"]
