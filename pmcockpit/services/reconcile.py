"""Settle actions in doubt: an intent was logged, then the process died before the outcome.

For each, the target is read again from the tool and the truth is appended as the
intent's outcome: ``succeeded`` (the change is there, so it can be undone), ``failed``
(the tool still shows the state captured before) or ``unknown`` (it cannot be read
back: a comment or a new ticket; check by hand). A tool that does not answer leaves
the action in doubt, to be tried again later.

An intent with no outcome is not always in doubt: on a team database another operator's
process may be calling the tool for it right now. Each intent names its process, and is
left to it while that process may still be at it (see ``_in_flight``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pmcockpit.connectors.errors import ConnectorError, NotFound, Rejected
from pmcockpit.core.actions import Action, inverse
from pmcockpit.core.audit_words import reconciled_line
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.services.actions import IN_FLIGHT, ActionRunner
from pmcockpit.services.outbox_lease import LEASE, free_abandoned, gone, holder
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import outbox as outbox_store
from pmcockpit.storage.models import AuditEntry

CHANGED = "succeeded"
UNCHANGED = "failed"
UNKNOWN = "unknown"


STILL_IN_DOUBT = "in doubt"


class NoAnswer(Exception):
    """The tool could not be asked: the action stays in doubt."""


@dataclass(frozen=True, slots=True)
class Reconciled:
    intent_id: int
    outcome_id: int | None
    """None when it stays in doubt (the tool did not answer)."""
    status: str
    note: str
    action: str

    def line(self) -> str:
        """"#6 Lock user: still in doubt: …", for a notification."""
        return reconciled_line(self.intent_id, self.action, self.note)


def _doubtful(workspace: Workspace) -> list[tuple[int, dict[str, Any], str]]:
    free_abandoned(workspace)
    now, me = utcnow(), holder(workspace)
    with workspace.db.session() as session:
        # Not those another process is sending from the outbox right now (leased), nor
        # those an operator's process is still calling the tool for (a direct act).
        return [(e.id, dict(e.detail), e.action)
                for e in outbox_store.in_doubt_unleased(session, now)
                if not _in_flight(e.id, (e.detail or {}).get("by"), now - e.at, me)]


def _in_flight(intent_id: int, by: object, age: timedelta, me: str) -> bool:
    """The process that logged the intent may still be calling the tool: this one while
    it is (``IN_FLIGHT``); another of this host while it lives, one of another host (or
    of unknown fate) until ``LEASE`` has passed. An intent that names no process (logged
    before they were named) is in doubt."""
    if not isinstance(by, str):
        return False
    if by == me:
        return intent_id in IN_FLIGHT
    return not gone(by) and age < LEASE


async def reconcile(workspace: Workspace) -> list[Reconciled]:
    """Read back and record the truth of every action in doubt. Nothing in doubt: []."""
    doubtful = await asyncio.to_thread(_doubtful, workspace)
    if not doubtful:
        return []
    done = []
    async with ActionRunner(workspace) as runner:
        for intent_id, detail, kind in doubtful:
            try:
                action = Action.from_json(detail["action"])
            except (KeyError, TypeError, ValueError):
                done.append(Reconciled(intent_id, None, STILL_IN_DOUBT, _(
                    "still in doubt: the entry does not say which action it was; check "
                    "the tool by hand"), kind))
                continue
            before = dict(detail.get("before") or {})
            try:
                status, note = await _read_back(runner, action, before)
            except NoAnswer as error:
                done.append(Reconciled(intent_id, None, STILL_IN_DOUBT, str(error), kind))
                continue
            outcome = {"action": detail["action"], "before": before, "result": {},
                       "reconciled": status}
            outcome_id = await runner.record_outcome(action, status, outcome, note,
                                                     intent_id, _undo_of(workspace, intent_id))
            done.append(Reconciled(intent_id, outcome_id, status, note, kind))
    return done


def _undo_of(workspace: Workspace, intent_id: int) -> int | None:
    with workspace.db.session() as session:
        entry = session.get(AuditEntry, intent_id)
        return entry.undo_of if entry else None


async def _read_back(runner: ActionRunner, action: Action, before: dict[str, Any]
                     ) -> tuple[str, str]:
    """(outcome, why) from the target as the tool shows it now."""
    if not action.spec.undoable:
        return UNKNOWN, _("in doubt, and a {title} cannot be read back: check the tool by "
                          "hand").format(title=action.spec.title.lower())
    try:
        connector = await runner.connector(action.connection)
        again = await connector.prepare(action)
    except (Rejected, NotFound):
        again = None  # an answer: the action's own precondition no longer holds
    except (ConnectorError, LookupError) as error:
        raise NoAnswer(_("still in doubt: the tool could not be asked ({error})").format(
            error=error)) from None
    if again is not None and again.calls and again.before == before:
        return UNCHANGED, _("in doubt; read back from the tool: not changed (it still "
                            "shows the state from before)")
    if again is not None and not again.calls:
        return CHANGED, _("in doubt; read back from the tool: changed")
    reverse = inverse(action, before)
    try:
        if reverse is not None and (await connector.prepare(reverse)).calls:
            return CHANGED, _("in doubt; read back from the tool: changed")
    except (Rejected, NotFound):
        pass
    except ConnectorError as error:
        raise NoAnswer(_("still in doubt: the tool could not be asked ({error})").format(
            error=error)) from None
    return UNKNOWN, _("in doubt; the tool's state matches neither before nor after: check "
                      "it by hand")
