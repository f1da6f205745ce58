"""The demo's support queue: a ticket waiting for its requester (its resolution clock
paused) and a comment typed while GitLab was down, still in the outbox.

The simulated tickets already cover the other states (breached, at risk, on time, met).
Both changes go the real way: through the outbox and the audited action path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from sqlalchemy import select

from pmcockpit.core.ticket_keys import display_key
from pmcockpit.services import tickets
from pmcockpit.services.queue import note_pauses
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage.models import Connection, Ticket

WAITING_NOTE = "Could you send a screenshot of the error? I will look again once I have it."
OUTBOX_NOTE = "Thanks, we are on it: the CI integration token is being renewed."


def _open_key(workspace: Workspace, connection: str) -> str | None:
    """The newest open ticket of ``connection``, as the queue names it."""
    with workspace.db.session() as session:
        key = session.scalars(
            select(Ticket.key).join(Connection).where(Connection.name == connection,
                                                      Ticket.is_closed.is_(False))
            .order_by(Ticket.created_at.desc()).limit(1)).first()
    return display_key(connection, key) if key else None


async def seed_demo_queue(workspace: Workspace, tools: Mapping[str, SimTool]) -> None:
    waiting = _open_key(workspace, "redmine") if "redmine" in tools else None
    if waiting:
        await tickets.comment(workspace, waiting, WAITING_NOTE)
        await tickets.set_status(workspace, waiting, "Feedback")
    down = _open_key(workspace, "gitlab") if "gitlab" in tools else None
    if down:
        plan = tools["gitlab"].faults
        plan.error_rate = 1.0  # every call answers 503: the tool is down
        try:
            await tickets.comment(workspace, down, OUTBOX_NOTE)
        finally:
            plan.error_rate = 0.0


async def note_demo_pauses(workspace: Workspace) -> None:
    await asyncio.to_thread(note_pauses, workspace)
