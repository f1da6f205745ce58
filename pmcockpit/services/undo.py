"""Which action reverses an entry of the audit log, read only from a log that verifies."""

from __future__ import annotations

from sqlalchemy import select

from pmcockpit.core.actions import Action, inverse
from pmcockpit.core.i18n import _
from pmcockpit.services import audit_log
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit
from pmcockpit.storage.models import AuditEntry

SUCCEEDED = "succeeded"


class UndoError(Exception):
    """The audit entry cannot be undone; the message says why."""


def undo_action(workspace: Workspace, audit_id: int, reason: str) -> Action:
    """The action that reverses entry ``audit_id``; UndoError when there is none, or when
    the log does not verify (a forged entry must not steer a change)."""
    broken = audit_log.broken_reason(workspace)
    if broken is not None:
        raise UndoError(_("the audit log does not verify, so pmcockpit will not act on it: "
                          "{problem}").format(problem=broken))
    with workspace.db.session() as session:
        entry = session.get(AuditEntry, audit_id)
        if entry is None:
            raise UndoError(_("no action with id {id} in the audit log").format(id=audit_id))
        if entry.status == audit.INTENT:
            outcome = audit.outcome_of(session, audit_id)
            if outcome is None:
                raise UndoError(_("action {id} is in doubt (it may not have run): reconcile "
                                  "it first with `pmcockpit audit reconcile`").format(
                                      id=audit_id))
            entry = outcome
        if entry.status != SUCCEEDED:
            raise UndoError(_("action {id} {status}: there is nothing to undo").format(
                id=entry.id, status=entry.status))
        already = session.scalars(select(AuditEntry.id).where(
            AuditEntry.undo_of.in_([audit_id, entry.id]), AuditEntry.status == SUCCEEDED
        )).first()
        if already is not None:
            raise UndoError(_("action {id} was already undone by action {by}").format(
                id=audit_id, by=already))
        action = Action.from_json(entry.detail["action"])
        # What was captured before wins: a result may reuse a key for the new value.
        state = {**entry.detail.get("result", {}), **entry.detail.get("before", {})}
    reverse = inverse(action, state)
    if reverse is None:
        raise UndoError(_("{title} cannot be undone by pmcockpit").format(
            title=action.spec.title.lower()))
    return Action(reverse.kind, reverse.connection, reverse.target_id, reverse.target_label,
                  reverse.params, reason or reverse.reason)
