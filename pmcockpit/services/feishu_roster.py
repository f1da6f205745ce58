"""Feishu as the HR roster source: who is employed, who left, their department and
join date, read from a Feishu connection for the permission review."""

from __future__ import annotations

from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.feishu import FeishuConnector
from pmcockpit.connectors.feishu_read import RosterRow
from pmcockpit.core.i18n import _
from pmcockpit.services.workspace import Workspace

__all__ = ["RosterRow", "feishu_roster"]


async def feishu_roster(workspace: Workspace, connection: str) -> list[RosterRow]:
    """Every person in the Feishu connection's contact scope, including who left."""
    connector = workspace.open_connector(connection)
    try:
        if not isinstance(connector, FeishuConnector):
            raise NotSupported(_("{name} is not a Feishu connection: only Feishu serves as "
                                 "the HR roster").format(name=connection))
        return await connector.roster()
    finally:
        await connector.aclose()
