"""The Feishu (Lark) open-platform dialect: contact v3 and admin v1 data reports.

Importing the endpoint modules registers their routes on the shared router.
"""

from __future__ import annotations

from pmcockpit.sim.dialects import Dialect
from pmcockpit.sim.dialects.feishu import admin, contact
from pmcockpit.sim.dialects.feishu.core import APP_ID, FeishuFacts, feishu_facts, handle
from pmcockpit.sim.state import ToolState

PRODUCT = "Feishu open platform"


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def connector_options(state: ToolState, url: str) -> dict[str, str]:
    return {"app_id": APP_ID}


DIALECT = Dialect(name="feishu", product=PRODUCT, handle=handle, auth_headers=auth_headers,
                  connector_options=connector_options)

__all__ = ["APP_ID", "DIALECT", "PRODUCT", "FeishuFacts", "admin", "auth_headers", "contact",
           "feishu_facts", "handle"]
