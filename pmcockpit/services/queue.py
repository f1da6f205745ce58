"""The support queue's use cases beyond single tickets: the service-level policy from
the settings, pauses after a sync, and sending the outbox when a tool answers again."""

from __future__ import annotations

import asyncio

from pmcockpit.config import Settings
from pmcockpit.core.sla_policy import SlaPolicy, calendar_from_table
from pmcockpit.core.workcal import CalendarError
from pmcockpit.services.outbox import Delivered, send_pending
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queue_pauses import track_pauses

__all__ = ["CalendarError", "after_sync", "note_pauses", "sla_policy"]


def sla_policy(settings: Settings) -> SlaPolicy:
    """The service levels the settings describe; CalendarError when the calendar is wrong."""
    return SlaPolicy(response_hours=settings.sla_hours,
                     resolution_hours=settings.sla_resolution_hours,
                     business_hours=settings.sla_business_hours,
                     calendar=calendar_from_table(settings.sla_calendar),
                     pause_statuses=settings.pause_statuses)


def note_pauses(workspace: Workspace) -> int:
    policy = sla_policy(workspace.settings)
    with workspace.db.session() as session:
        return track_pauses(session, policy.pauses_on)


async def after_sync(workspace: Workspace, connections: list[str] | None = None
                     ) -> list[Delivered]:
    """Record pauses from the statuses just synced, then send what waits in the outbox."""
    await asyncio.to_thread(note_pauses, workspace)
    sent: list[Delivered] = []
    names: list[str | None] = list(connections) if connections else [None]
    for name in names:
        sent += await send_pending(workspace, connection=name)
    return sent
