"""The outbox: ticket changes typed in pmcockpit reach their tool once, in order, even
when it is down or pmcockpit is killed meanwhile.

Every change is first committed as an outbox item, then sent through the action
runner. A tool that cannot be reached keeps its items pending, to be sent by the next
``sync``, ``outbox send`` or start of the app that reaches it. An item whose call got
no answer is read back first (:mod:`pmcockpit.services.reconcile`): a change the tool
has is not made twice; one it cannot read back (a comment) waits for a person.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from pmcockpit.connectors.errors import ConnectorError, ServerError, Unreachable
from pmcockpit.core.actions import Action
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.services.actions import ActionRunner, kill_point
from pmcockpit.services.outbox_lease import LEASE, free_abandoned, holder
from pmcockpit.services.reconcile import reconcile
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import outbox as store
from pmcockpit.storage.audit import INTENT, outcome_of
from pmcockpit.storage.models import AuditEntry


class Delivery(enum.StrEnum):
    SENT = "sent"
    QUEUED = "queued"
    """Kept in the outbox: the tool could not be reached."""
    FAILED = "failed"
    """The tool refused it; it stays in the outbox as failed, with the reason."""
    DOUBT = "doubt"
    """The tool may have it and cannot say so: check by hand."""


@dataclass(frozen=True, slots=True)
class Delivered:
    item_id: int
    ticket_key: str
    delivery: Delivery
    message: str
    audit_id: int | None = None


def enqueue(workspace: Workspace, action: Action, ticket_key: str) -> int:
    """Keep ``action`` in the outbox (committed): from here on it cannot be lost."""
    with workspace.db.session() as session:
        item_id = store.add(session, operator=workspace.settings.operator,
                            connection=action.connection, ticket_key=ticket_key,
                            action=action.to_json())
    kill_point("outbox-queued")
    return item_id


async def submit(workspace: Workspace, action: Action, ticket_key: str) -> Delivered:
    """Keep ``action`` in the outbox and send what waits for its tool, this one last."""
    item_id = await asyncio.to_thread(enqueue, workspace, action, ticket_key)
    results = await send_pending(workspace, connection=action.connection)
    mine = [r for r in results if r.item_id == item_id]
    return mine[0] if mine else Delivered(item_id, ticket_key, Delivery.QUEUED,
                                          _("kept in the outbox"))


async def send_pending(workspace: Workspace, *, connection: str | None = None
                       ) -> list[Delivered]:
    """Send every waiting item (of ``connection``, or all), oldest first, each once."""
    await asyncio.to_thread(free_abandoned, workspace)  # a pmcockpit killed mid-send
    items = await asyncio.to_thread(_waiting, workspace, connection)
    if not items:
        return []
    if any(item.state == "sending" for item in items):
        await reconcile(workspace)  # read back what an earlier run left in doubt
    results: list[Delivered] = []
    blocked: dict[str, str] = {}
    async with ActionRunner(workspace) as runner:
        for item in items:
            if item.connection in blocked:
                results.append(Delivered(item.id, item.ticket_key, Delivery.QUEUED,
                                         blocked[item.connection]))
                continue
            delivered = await _deliver(workspace, runner, item)
            if delivered.delivery is Delivery.QUEUED:
                blocked[item.connection] = delivered.message  # keep the order: wait
            results.append(delivered)
    return results


def _waiting(workspace: Workspace, connection: str | None) -> list[store.QueuedItem]:
    with workspace.db.session() as session:
        return store.waiting(session, connection)


def _settle(workspace: Workspace, item: store.QueuedItem, delivered: Delivered) -> Delivered:
    state = {Delivery.SENT: "sent", Delivery.FAILED: "failed", Delivery.DOUBT: "doubt",
             Delivery.QUEUED: "pending"}[delivered.delivery]
    error = None if delivered.delivery is Delivery.SENT else delivered.message
    with workspace.db.session() as session:
        store.settle(session, item.id, state, error=error, audit_id=delivered.audit_id,
                     at=utcnow())
    return delivered


async def _deliver(workspace: Workspace, runner: ActionRunner, item: store.QueuedItem
                   ) -> Delivered:
    if item.held_by_other(holder(workspace), utcnow()):
        return _held(item)
    if item.state == "sending":
        earlier = await asyncio.to_thread(_earlier_try, workspace, item)
        if earlier is not None:
            return earlier if earlier.delivery is Delivery.QUEUED else \
                _settle(workspace, item, earlier)
    try:
        await runner.connector(item.connection)
    except ConnectorError as error:
        return _settle(workspace, item, _queued(item, error))
    except LookupError as error:  # the connection was removed
        return _settle(workspace, item, Delivered(item.id, item.ticket_key, Delivery.FAILED,
                                                  str(error)))
    if not await asyncio.to_thread(claim, workspace, item):
        return _held(item)
    [result] = await runner.run([Action.from_json(item.action)], confirmed=True)
    if result.ok:
        return _settle(workspace, item, Delivered(item.id, item.ticket_key, Delivery.SENT,
                                                  _("sent"), result.audit_id))
    if result.audit_id is not None and await asyncio.to_thread(
            _is_intent, workspace, result.audit_id):
        # No answer to the call itself: stays "sending"; the next run reads it back.
        await asyncio.to_thread(_release, workspace, item)
        return Delivered(item.id, item.ticket_key, Delivery.QUEUED, result.error or "")
    if await _unreachable_now(runner, item.connection):
        return _settle(workspace, item, Delivered(
            item.id, item.ticket_key, Delivery.QUEUED, result.error or ""))
    return _settle(workspace, item, Delivered(item.id, item.ticket_key, Delivery.FAILED,
                                              result.error or _("failed"), result.audit_id))


def _held(item: store.QueuedItem) -> Delivered:
    return Delivered(item.id, item.ticket_key, Delivery.QUEUED,
                     _("being sent by another pmcockpit on this database ({holder})").format(
                         holder=item.claimed_by or _("another process")))


def _queued(item: store.QueuedItem, error: Exception) -> Delivered:
    what = _("{tool} cannot be reached ({error}): kept in the outbox, sent when it answers") \
        if isinstance(error, (Unreachable, ServerError)) else \
        _("{tool} refused the connection ({error}): kept in the outbox")
    return Delivered(item.id, item.ticket_key, Delivery.QUEUED,
                     what.format(tool=item.connection, error=error))


async def _unreachable_now(runner: ActionRunner, connection: str) -> bool:
    try:
        await (await runner.connector(connection)).current_account()
    except Unreachable:
        return True
    except (ConnectorError, LookupError):
        return False
    return False


def claim(workspace: Workspace, item: store.QueuedItem) -> bool:
    """Take ``item`` for this process (mark it sending, leased for :data:`LEASE`) if it
    is still as it was read; False when another process (another operator online) took
    it first or holds it still."""
    with workspace.db.session() as session:
        return store.take(session, item, holder=holder(workspace), now=utcnow(),
                          lease=LEASE)


def _release(workspace: Workspace, item: store.QueuedItem) -> None:
    with workspace.db.session() as session:
        store.release(session, item.id)


def _is_intent(workspace: Workspace, audit_id: int) -> bool:
    with workspace.db.session() as session:
        entry = session.get(AuditEntry, audit_id)
        return entry is not None and entry.status == INTENT and \
            outcome_of(session, audit_id) is None


def _earlier_try(workspace: Workspace, item: store.QueuedItem) -> Delivered | None:
    """What became of a call made before pmcockpit stopped; None: it was never made."""
    with workspace.db.session() as session:
        intent, outcome = store.last_try(session, item)
    if intent is None or outcome == "failed":
        return None  # never reached the tool, or the tool still shows the state before
    if outcome == "succeeded":
        return Delivered(item.id, item.ticket_key, Delivery.SENT,
                         _("sent (read back from the tool)"), intent)
    if outcome is None:
        return Delivered(item.id, item.ticket_key, Delivery.QUEUED, _(
            "the tool could not say whether it has this change yet: asked again next time"))
    return Delivered(item.id, item.ticket_key, Delivery.DOUBT, _(
        "the call got no answer and the tool cannot show whether it arrived: look at the "
        "ticket, then send it again by hand if needed"), intent)
