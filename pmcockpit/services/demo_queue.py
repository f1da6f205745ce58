"""The demo's support queue: a comment typed while GitLab was down, still in the
outbox, and the pauses of the tickets waiting for their requesters (the simulated
Redmine holds one, asked there: see :func:`pmcockpit.services.demo.ask_a_requester`).

The simulated tickets already cover the other states (breached, at risk, on time, met).
The comment goes the real way: through the outbox, which keeps it while GitLab is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select

from pmcockpit.core.i18n import N_, _
from pmcockpit.core.ticket_keys import display_key
from pmcockpit.services import tickets
from pmcockpit.services.queue import note_pauses
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models import Connection, Ticket

OUTBOX_NOTE = N_("Thanks, we are on it: the CI integration token is being renewed.")


def _open_key(workspace: Workspace, connection: str) -> str | None:
    """The newest open ticket of ``connection``, as the queue names it."""
    with workspace.db.session() as session:
        key = session.scalars(
            select(Ticket.key).join(Connection).where(Connection.name == connection,
                                                      Ticket.is_closed.is_(False))
            .order_by(Ticket.created_at.desc()).limit(1)).first()
    return display_key(connection, key) if key else None


async def seed_demo_queue(workspace: Workspace, *, down_tool: str | None,
                          set_down: Callable[[bool], None]) -> None:
    """``set_down(True)`` makes ``down_tool`` answer every call with an error, until
    ``set_down(False)``."""
    down = _open_key(workspace, down_tool) if down_tool else None
    if down:
        set_down(True)
        try:
            await tickets.comment(workspace, down, _(OUTBOX_NOTE))
        finally:
            set_down(False)


async def note_demo_pauses(workspace: Workspace) -> None:
    await asyncio.to_thread(note_pauses, workspace)
