"""Ticket changes for the queue: comment, assign, change status, resolve, local intake.

Both faces call these; each change becomes an :class:`Action` and goes through the
outbox (:mod:`pmcockpit.services.outbox`), hence through the audited action runner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from sqlalchemy import select

from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.services.outbox import Delivered, Delivery, submit
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.models import Account, Connection, LocalTicket, Ticket, TicketComment
from pmcockpit.storage.queries.tickets import LOCAL, TicketNotFound, TicketRef, find_ticket

__all__ = ["Delivered", "Delivery", "TicketError", "add_local", "assign", "comment",
           "resolve", "set_status"]

LOCAL_REPLY = "pmcockpit-"
"""Remote id prefix of a reply kept locally until the sync brings the tool's own."""

RESOLVE_STATUS: Mapping[str, str] = {"redmine": "Closed", "jira": "Done", "gitlab": "closed"}
"""The status "resolve" moves a ticket to, per tool; ``queue.resolve_status`` overrides."""


CLOSED_STATUSES = frozenset({"closed", "done", "resolved", "rejected", "cancelled"})
"""Statuses that take a ticket out of the queue until the next sync says otherwise."""


class TicketError(Exception):
    """The change cannot be made as asked; the message says why."""


def ticket(workspace: Workspace, key: str, *, in_tool: bool = True) -> TicketRef:
    """The ticket named ``key``; with ``in_tool``, one that lives in a connected tool."""
    with workspace.db.session() as session:
        try:
            ref = find_ticket(session, key)
        except TicketNotFound:
            raise TicketError(_("no ticket {key} in the queue (or several): name it as the "
                                "queue shows it, e.g. rm#12 or SUP-7").format(key=key)) from None
    if in_tool and ref.tool_kind == LOCAL:
        raise TicketError(_("{key} was recorded in pmcockpit and is in no tool yet: "
                            "answer the requester directly, or resolve it here").format(key=key))
    return ref


async def comment(workspace: Workspace, key: str, text: str) -> Delivered:
    if not text.strip():
        raise TicketError(_("the comment is empty"))
    ref = await asyncio.to_thread(ticket, workspace, key)
    done = await submit(workspace, Action(ActionKind.ADD_COMMENT, ref.connection,
                                          ref.remote_id, ref.key, {"body": text}), ref.key)
    if done.delivery is Delivery.SENT:
        await asyncio.to_thread(_note_reply, workspace, ref, text, done.item_id)
    return done


async def assign(workspace: Workspace, key: str, who: str) -> Delivered:
    """Assign to ``who``: "me", an account id, or a login synced from the tool."""
    ref = await asyncio.to_thread(ticket, workspace, key)
    assignee = await find_assignee(workspace, ref, who.strip())
    done = await submit(workspace, Action(ActionKind.ASSIGN_TICKET, ref.connection,
                                          ref.remote_id, ref.key,
                                          {"assignee_id": assignee}), ref.key)
    if done.delivery is Delivery.SENT:
        await asyncio.to_thread(_note_locally, workspace, ref, assignee_remote_id=assignee)
    return done


async def set_status(workspace: Workspace, key: str, status: str) -> Delivered:
    ref = await asyncio.to_thread(ticket, workspace, key)
    done = await submit(workspace, Action(ActionKind.SET_TICKET_STATUS, ref.connection,
                                          ref.remote_id, ref.key,
                                          {"status": status.strip()}), ref.key)
    if done.delivery is Delivery.SENT:
        closed = status.strip().lower() in CLOSED_STATUSES or status.strip() == \
            await asyncio.to_thread(resolve_status, workspace, ref)
        await asyncio.to_thread(_note_locally, workspace, ref, status=status.strip(),
                                is_closed=closed)
    return done


def _note_locally(workspace: Workspace, ref: TicketRef, **changes: object) -> None:
    """What the tool just accepted, in the local copy too: the queue shows it at once
    instead of after the next sync (which brings the tool's own word)."""
    with workspace.db.session() as session:
        row = session.get(Ticket, ref.ticket_id)
        if row is not None:
            for name, value in changes.items():
                setattr(row, name, value)


def _note_reply(workspace: Workspace, ref: TicketRef, text: str, item_id: int) -> None:
    """The reply the tool just accepted, in the local conversation too (and the first
    response, when it is one): the ticket and its reply clock show it at once. The next
    sync reads the ticket again (it changed) and its comments replace this one."""
    with workspace.db.session() as session:
        row = session.get(Ticket, ref.ticket_id)
        if row is None:
            return
        now = utcnow()
        session.add(TicketComment(ticket_id=row.id, remote_id=f"{LOCAL_REPLY}{item_id}",
                                  author_remote_id=None, body=text, created_at=now,
                                  author_name=workspace.settings.operator))
        if row.first_response_at is None:
            row.first_response_at = now


async def resolve(workspace: Workspace, key: str, note: str) -> list[Delivered]:
    """The closing note, then the tool's resolved status (in that order, via the outbox)."""
    ref = await asyncio.to_thread(ticket, workspace, key, in_tool=False)
    if ref.tool_kind == LOCAL:
        return [await asyncio.to_thread(_close_local, workspace, ref)]
    status = await asyncio.to_thread(resolve_status, workspace, ref)
    done = [await comment(workspace, ref.key, note)] if note.strip() else []
    return [*done, await set_status(workspace, ref.key, status)]


def _close_local(workspace: Workspace, ref: TicketRef) -> Delivered:
    with workspace.db.session() as session:
        row = session.get_one(LocalTicket, int(ref.remote_id))
        row.closed_at = utcnow()
    return Delivered(0, ref.key, Delivery.SENT, _("closed"))


def resolve_status(workspace: Workspace, ref: TicketRef) -> str:
    with workspace.db.session() as session:
        options = session.scalar(select(Connection.options).where(
            Connection.name == ref.connection)) or {}
    return str(options.get("queue.resolve_status") or RESOLVE_STATUS.get(ref.tool_kind,
                                                                         "Closed"))


async def find_assignee(workspace: Workspace, ref: TicketRef, who: str) -> str | None:
    if who in ("", "-", "nobody"):
        return None
    if who == "me":
        try:
            connector = await asyncio.to_thread(workspace.open_connector, ref.connection)
            try:
                return (await connector.current_account()).remote_id
            finally:
                await connector.aclose()
        except ConnectorError as error:
            raise TicketError(_("cannot ask {tool} who you are ({error}): name your account "
                                "instead of 'me'").format(tool=ref.connection,
                                                          error=error)) from None
    found = await asyncio.to_thread(account_id, workspace, ref.connection, who)
    if found is None:
        raise TicketError(_("{tool} has no account {who!r} (as of the last sync)").format(
            tool=ref.connection, who=who))
    return found


def account_id(workspace: Workspace, connection: str, who: str) -> str | None:
    """The account ``who`` names in ``connection``: its login, id, or display name."""
    with workspace.db.session() as session:
        query = (select(Account.remote_id).join(Connection)
                 .where(Connection.name == connection)
                 .where((Account.login == who) | (Account.remote_id == who)
                        | (Account.name == who)))
        return session.scalars(query.limit(1)).first()


def add_local(workspace: Workspace, *, subject: str, requester: str, priority: str,
              description: str = "") -> str:
    """Record a request that came by phone or chat; its key is ``local#N``."""
    if not subject.strip() or not requester.strip():
        raise TicketError(_("a local ticket needs a subject and a requester"))
    with workspace.db.session() as session:
        row = LocalTicket(subject=subject.strip(), requester=requester.strip(),
                          priority=priority, description=description)
        session.add(row)
        session.flush()
        return f"local#{row.id}"
