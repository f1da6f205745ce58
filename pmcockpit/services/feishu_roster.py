"""Feishu as the HR roster source: who is employed, who left, their department and
join date, read from a Feishu connection for the permission review and kept as a
roster import like a file's (who, when, hash, counts)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime

from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.feishu import FeishuConnector
from pmcockpit.connectors.feishu_read import RosterRow
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.roster import ParsedRoster, RowProblem, StaffEntry, StaffStatus
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import roster

__all__ = ["RosterRow", "feishu_roster", "import_feishu_roster", "parsed_from_feishu"]


async def feishu_roster(workspace: Workspace, connection: str) -> list[RosterRow]:
    """Every person in the Feishu connection's contact scope, including who left."""
    # Opening reads the connection's row and its token (keyring): not on the event loop.
    connector = await asyncio.to_thread(workspace.open_connector, connection)
    try:
        if not isinstance(connector, FeishuConnector):
            raise NotSupported(_("{name} is not a Feishu connection: only Feishu serves as "
                                 "the HR roster").format(name=connection))
        return await connector.roster()
    finally:
        await connector.aclose()


def parsed_from_feishu(rows: Sequence[RosterRow], today: date) -> ParsedRoster:
    """The directory as a roster. Feishu does not say when someone resigned: the day of
    the import stands for it (they had left by then)."""
    entries, problems = [], []
    for number, row in enumerate(rows, start=1):
        if not (row.email or row.login):
            problems.append(RowProblem(number, _("{name} has neither an e-mail nor a login: "
                                                 "no account can be matched").format(
                                                     name=row.name or row.employee_id)))
            continue
        entries.append(StaffEntry(
            email=(row.email or "").lower(), login=row.login, name=row.name,
            department=row.department,
            status=StaffStatus.LEFT if row.has_left else StaffStatus.ACTIVE,
            left_on=today if row.has_left else None, employee_id=row.employee_id))
    digest = hashlib.sha256(json.dumps(
        [[r.employee_id, r.login, r.email, r.department, r.has_left] for r in rows],
        ensure_ascii=False).encode()).hexdigest()
    return ParsedRoster(tuple(entries), tuple(problems), "feishu", digest,
                        ("employee_id", "login", "name", "email", "department", "status"))


async def import_feishu_roster(workspace: Workspace, connection: str, *,
                               at: datetime | None = None) -> tuple[roster.ImportFacts,
                                                                    ParsedRoster]:
    """Read the Feishu connection's directory and keep it as the latest roster import."""
    rows = await feishu_roster(workspace, connection)
    now = at or utcnow()
    parsed = parsed_from_feishu(rows, now.date())
    with workspace.db.session() as session:
        facts = roster.save_import(session, parsed, filename=f"feishu:{connection}",
                                   operator=workspace.settings.operator, at=at)
    return facts, parsed
