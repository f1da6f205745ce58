"""What a ticket change will do, before it is sent: the ticket as it is and as it will
be, and the calls the tool will get (a dry run of the action runner), or why they
cannot be planned now (the tool is down: the change will wait in the outbox)."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, field

from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.services.actions import ActionRunner, Preview
from pmcockpit.services.tickets import find_assignee, resolve_status, ticket
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.tickets import LOCAL, TicketDetail, ticket_detail

DRY_RUN_SECONDS = 10.0
"""How long the dry run may wait for the tool before the preview says it is not answering."""


class ChangeKind(enum.StrEnum):
    ASSIGN = "assign"
    STATUS = "status"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class ChangePreview:
    key: str
    tool: str
    lines: tuple[str, ...]
    """Before and after, in words: "status: New → Closed"."""
    previews: tuple[Preview, ...] = field(default=())
    problem: str | None = None
    """Why the calls could not be planned; the change then waits in the outbox."""


async def preview_change(workspace: Workspace, key: str, kind: ChangeKind, value: str
                         ) -> ChangePreview:
    """Raises :class:`~pmcockpit.services.tickets.TicketError` when the change is wrong."""
    ref = await asyncio.to_thread(ticket, workspace, key, in_tool=kind is ChangeKind.RESOLVE)
    detail = await asyncio.to_thread(_detail, workspace, ref.key)
    if ref.tool_kind == LOCAL:
        return ChangePreview(ref.key, LOCAL, (
            _("status: open → closed (recorded in pmcockpit only, no tool is told)"),))
    actions, lines = await _plan(workspace, ref.key, kind, value.strip(), detail)
    try:
        async with ActionRunner(workspace) as runner:
            previews = await asyncio.wait_for(runner.preview(actions), DRY_RUN_SECONDS)
    except (ConnectorError, LookupError, TimeoutError) as error:
        return ChangePreview(ref.key, ref.connection, lines, problem=_(
            "{tool} cannot plan it now ({error}): sent, it waits in the outbox until the "
            "tool answers").format(tool=ref.connection, error=error or _("no answer")))
    return ChangePreview(ref.key, ref.connection, lines, tuple(previews))


def _detail(workspace: Workspace, key: str) -> TicketDetail:
    with workspace.db.session() as session:
        return ticket_detail(session, key)


async def _plan(workspace: Workspace, key: str, kind: ChangeKind, value: str,
                detail: TicketDetail) -> tuple[list[Action], tuple[str, ...]]:
    ref = detail.ref
    if kind is ChangeKind.ASSIGN:
        assignee = await find_assignee(workspace, ref, value)
        return [Action(ActionKind.ASSIGN_TICKET, ref.connection, ref.remote_id, key,
                       {"assignee_id": assignee})], (
            _("assignee: {before} → {after}").format(
                before=detail.assignee_remote_id or _("nobody"),
                after=(value if value not in ("", "-", "nobody") else _("nobody"))),)
    if kind is ChangeKind.STATUS:
        return [Action(ActionKind.SET_TICKET_STATUS, ref.connection, ref.remote_id, key,
                       {"status": value})], (
            _("status: {before} → {after}").format(before=detail.status, after=value),)
    status = await asyncio.to_thread(resolve_status, workspace, ref)
    actions = [Action(ActionKind.SET_TICKET_STATUS, ref.connection, ref.remote_id, key,
                      {"status": status})]
    lines = [_("status: {before} → {after}").format(before=detail.status, after=status)]
    if value:
        actions.insert(0, Action(ActionKind.ADD_COMMENT, ref.connection, ref.remote_id, key,
                                 {"body": value}))
        lines.insert(0, _("closing note: {text}").format(text=value))
    return actions, tuple(lines)
