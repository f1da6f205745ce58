"""A request recorded in pmcockpit (``local#N``) pushed to a connected tool: it becomes
that tool's ticket, created through the audited action path, and stays linked (the
local request names the tool's key and leaves the queue; the tool's ticket takes its
place at once, before the next sync brings the tool's own copy)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.ticket_keys import display_key
from pmcockpit.services.access_names import Kind, choices, refusal, resolve
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.tickets import TicketError, ticket
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models import Connection, LocalTicket, Ticket
from pmcockpit.storage.queries.tickets import LOCAL


@dataclass(frozen=True, slots=True)
class Pushed:
    local_key: str
    key: str
    """The tool's ticket, as the queue names it ("rm#45", "SUP-7")."""
    audit_id: int | None


async def push_local(workspace: Workspace, key: str, connection: str,
                     project: str = "") -> Pushed:
    """Create ``key`` (a local request) in ``connection``, in ``project`` or the project
    of the connection's queue definition (``queue.project``). Raises TicketError."""
    ref = await asyncio.to_thread(ticket, workspace, key, in_tool=False)
    if ref.tool_kind != LOCAL:
        raise TicketError(_("{key} is already {tool}'s ticket").format(key=ref.key,
                                                                       tool=ref.connection))
    local, options = await asyncio.to_thread(_read, workspace, int(ref.remote_id),
                                             connection)
    await refusal(workspace, connection, ActionKind.CREATE_TICKET)
    target = project.strip() or queue_project(options)
    if not target:
        raise TicketError(_("in which project of {tool}? Name it (--project), or set the "
                            "queue's project: pmcockpit connect set {tool} queue.project "
                            "… (Jira: a queue.jql with project = KEY)").format(
                                tool=connection))
    where = await resolve(workspace, connection, Kind.PROJECT, target)
    description = _("{text}\n\nRequested by {requester} (recorded in pmcockpit as {key})."
                    ).format(text=local.description, requester=local.requester,
                             key=ref.key).strip()
    action = Action(ActionKind.CREATE_TICKET, connection, where.remote_id, local.subject,
                    {"subject": local.subject, "description": description})
    async with ActionRunner(workspace) as runner:
        [result] = await runner.run([action], confirmed=True)
    if not result.ok:
        raise TicketError(_("{tool} did not create it ({error}); {key} stays in the queue "
                            "as it is").format(tool=connection, error=result.error,
                                               key=ref.key))
    remote_id = str(result.facts.get("ticket_id") or "")
    tool_key = str(result.facts.get("key") or f"#{remote_id}")
    shown = await asyncio.to_thread(_link, workspace, local.id, connection, remote_id,
                                    tool_key)
    return Pushed(ref.key, shown, result.audit_id)


def _read(workspace: Workspace, local_id: int, connection: str
          ) -> tuple[LocalTicket, Mapping[str, Any]]:
    with workspace.db.session() as session:
        local = session.get_one(LocalTicket, local_id)
        session.expunge(local)
        options = session.scalar(select(Connection.options).where(
            Connection.name == connection))
    if options is None:
        raise TicketError(_("no connection {name!r} (see `pmcockpit connect list`)").format(
            name=connection))
    return local, options


JQL_PROJECT = re.compile(r"\bproject\s*(?:=\s*|in\s*\(\s*)(\"[^\"]+\"|'[^']+'|[\w-]+)"
                         r"(\s*\))?", re.IGNORECASE)


def queue_project(options: Mapping[str, Any]) -> str:
    """The project of a connection's queue: ``queue.project`` (Redmine, GitLab), or the
    one project a Jira queue's JQL names (``project = SUP``, ``project in (SUP)``)."""
    named = str(options.get("queue.project") or "").strip()
    if named:
        return named
    found = JQL_PROJECT.search(str(options.get("queue.jql") or ""))
    if found is None or (found.group(0).lower().replace(" ", "").startswith("projectin(")
                         and not found.group(2)):
        return ""  # no project, or several in an IN list: the admin names one
    return found.group(1).strip("\"'")


def _link(workspace: Workspace, local_id: int, connection: str, remote_id: str,
          tool_key: str) -> str:
    now = utcnow()
    with workspace.db.session() as session:
        local = session.get_one(LocalTicket, local_id)
        conn = session.scalars(select(Connection).where(Connection.name == connection)).one()
        shown = display_key(connection, tool_key)
        local.pushed_to = connection
        local.remote_key = shown
        if remote_id and session.scalar(select(Ticket.id).where(
                Ticket.connection_id == conn.id, Ticket.remote_id == remote_id)) is None:
            session.add(Ticket(connection_id=conn.id, remote_id=remote_id, key=tool_key,
                               subject=local.subject, description=local.description,
                               status="New", is_closed=False, priority=local.priority,
                               author_remote_id=None, assignee_remote_id=None,
                               created_at=local.created_at, updated_at=now))
        return shown


@dataclass(frozen=True, slots=True)
class PushTarget:
    connection: str
    kind: str
    project: str
    """The queue's project (``queue.project``, or the one a Jira JQL names); "" if none."""
    projects: list[str]
    """The synced projects, as a pick list offers them."""


def push_targets(workspace: Workspace) -> list[PushTarget]:
    """The connections a request could be pushed to, with their projects."""
    with workspace.db.session() as session:
        rows = list(session.execute(select(Connection.name, Connection.kind, Connection.options)
                                    .order_by(Connection.name)))
    return [PushTarget(name, kind, queue_project(options or {}),
                       choices(workspace, name, Kind.PROJECT)) for name, kind, options in rows]
