"""Feishu as the HR roster source: who is employed, who left, their department and
join date, read from a Feishu connection for the permission review."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.feishu import FeishuConnector
from pmcockpit.connectors.feishu_read import RosterRow
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.roster import FIELDS, ParsedRoster, StaffEntry, StaffStatus
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import roster

__all__ = ["RosterRow", "feishu_roster", "import_feishu_roster"]


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


def _entry(row: RosterRow, seen_on: date) -> StaffEntry:
    # Contact v3 says who resigned but not when: "left" by the day the directory said so.
    return StaffEntry(email=(row.email or "").strip().lower(), login=row.login, name=row.name,
                      department=row.department,
                      status=StaffStatus.LEFT if row.has_left else StaffStatus.ACTIVE,
                      left_on=seen_on if row.has_left else None, employee_id=row.employee_id)


async def import_feishu_roster(workspace: Workspace, connection: str, *,
                               at: datetime | None = None) -> roster.ImportFacts:
    """Keep the Feishu directory as the latest HR roster, as a roster file would be
    (the next review is judged against it)."""
    seen_on = (at or utcnow()).date()
    entries = tuple(_entry(r, seen_on) for r in await feishu_roster(workspace, connection))
    digest = hashlib.sha256("\n".join(
        f"{e.employee_id}\t{e.login}\t{e.email}\t{e.status}" for e in entries).encode())
    parsed = ParsedRoster(entries=entries, problems=(), encoding="utf-8",
                          sha256=digest.hexdigest(), columns=FIELDS)
    with workspace.db.session() as session:
        return roster.save_import(session, parsed, filename=f"feishu:{connection}",
                                  operator=workspace.settings.operator, at=at)
