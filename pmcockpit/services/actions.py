"""The one path by which pmcockpit changes a connected tool.

Every action is previewed (the calls it would make), refused in read-only mode or
when the tool cannot do it, needs confirmation when destructive, captures the
state it is about to change (for undo), runs, and is recorded in the audit log
with its outcome. Results are reported per item: one failure does not stop the rest.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from pmcockpit.connectors.base import Connector, PlannedCall
from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.core.actions import Action, inverse
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit
from pmcockpit.storage.models import AuditEntry


class Outcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the tool refused or failed
    REFUSED = "refused"  # pmcockpit did not call the tool (read-only, unsupported, unconfirmed)


@dataclass(frozen=True, slots=True)
class Preview:
    action: Action
    calls: list[PlannedCall] = field(default_factory=list)
    refusal: str | None = None
    """Why this action would not run; None when it would."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: Action
    outcome: Outcome
    audit_id: int | None
    error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCEEDED

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.audit_id, "status": self.outcome.value, "error": self.error,
                "action": self.action.to_json(), "result": self.facts}


class UndoError(Exception):
    """The audit entry cannot be undone; the message says why."""


ResultCallback = Callable[[int, int, ActionResult], None]
"""Called after each action with (index, total, result), for progress."""


class ActionRunner:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._connectors: dict[str, Connector] = {}

    async def __aenter__(self) -> ActionRunner:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        connectors, self._connectors = self._connectors, {}
        for connector in connectors.values():
            await connector.aclose()

    async def _connector(self, name: str) -> Connector:
        # Opening reads the connection's row and its token (keyring): not on the event loop.
        if name not in self._connectors:
            connector = await asyncio.to_thread(self.workspace.open_connector, name)
            try:
                # What a connection can do may depend on whose token it is (a GitLab
                # administrator can block users): ask once, before any capability check.
                await connector.current_account()
            except ConnectorError:
                await connector.aclose()
                raise
            self._connectors[name] = connector
        return self._connectors[name]

    async def _refusal(self, action: Action) -> str | None:
        problems = action.validate()
        if problems:
            return "; ".join(problems)
        if self.workspace.read_only:
            return "read-only mode: pmcockpit changes nothing in the tools (--read-only or config)"
        connector = await self._connector(action.connection)
        capability = action.spec.capability
        if capability not in connector.capabilities():
            reason = connector.unsupported_reason(capability) or f"cannot {capability.label}"
            return f"{connector.config.name} ({connector.kind}) {reason}"
        return None

    async def preview(self, actions: Sequence[Action]) -> list[Preview]:
        """The calls each action would make. Changes nothing and records nothing."""
        previews = []
        for action in actions:
            try:
                refusal = await self._refusal(action)
                connector = await self._connector(action.connection)
                calls = [] if refusal else await connector.plan(action)
            except (ConnectorError, LookupError) as error:
                previews.append(Preview(action, refusal=str(error)))
            else:
                previews.append(Preview(action, calls, refusal))
        return previews

    async def run(
        self, actions: Sequence[Action], *, confirmed: bool = False,
        on_result: ResultCallback | None = None, undo_of: int | None = None,
    ) -> list[ActionResult]:
        """Run each action in turn; destructive ones only when ``confirmed``."""
        results = []
        for index, action in enumerate(actions):
            result = await self._run_one(action, confirmed=confirmed, undo_of=undo_of)
            results.append(result)
            if on_result:
                on_result(index, len(actions), result)
        return results

    async def _run_one(self, action: Action, *, confirmed: bool, undo_of: int | None
                       ) -> ActionResult:
        detail: dict[str, Any] = {"action": action.to_json()}
        try:
            refusal = await self._refusal(action)
            if refusal is None and action.destructive and not confirmed:
                refusal = "destructive action not confirmed"
        except (ConnectorError, LookupError) as error:
            refusal = str(error)
        if refusal is not None:
            return await self._record(action, Outcome.REFUSED, detail, refusal, undo_of)
        connector = await self._connector(action.connection)
        try:
            detail["before"] = await connector.capture(action)
            detail["result"] = await connector.execute(action)
        except ConnectorError as error:
            return await self._record(action, Outcome.FAILED, detail, str(error), undo_of)
        return await self._record(action, Outcome.SUCCEEDED, detail, None, undo_of)

    async def _record(
        self, action: Action, outcome: Outcome, detail: dict[str, Any], error: str | None,
        undo_of: int | None,
    ) -> ActionResult:
        record = audit.AuditRecord(
            operator=self.workspace.settings.operator, connection_name=action.connection,
            action=action.kind.value, target=_target_text(action), status=outcome.value,
            detail=detail, reason=action.reason, error=error, undo_of=undo_of,
        )
        audit_id = await asyncio.to_thread(self._append, record)
        return ActionResult(action, outcome, audit_id, error, dict(detail.get("result") or {}))

    def _append(self, record: audit.AuditRecord) -> int:
        with self.workspace.db.session() as session:
            return audit.append(session, record).id

    def undo_action(self, audit_id: int, reason: str) -> Action:
        """The action that reverses audit entry ``audit_id``; raises UndoError if none."""
        with self.workspace.db.session() as session:
            entry = session.get(AuditEntry, audit_id)
            if entry is None:
                raise UndoError(f"no action with id {audit_id} in the audit log")
            if entry.status != Outcome.SUCCEEDED:
                raise UndoError(f"action {audit_id} {entry.status}: there is nothing to undo")
            already = session.scalars(select(AuditEntry.id).where(
                AuditEntry.undo_of == audit_id, AuditEntry.status == Outcome.SUCCEEDED
            )).first()
            if already is not None:
                raise UndoError(f"action {audit_id} was already undone by action {already}")
            action = Action.from_json(entry.detail["action"])
            # What was captured before wins: a result may reuse a key for the new value.
            state = {**entry.detail.get("result", {}), **entry.detail.get("before", {})}
        reverse = inverse(action, state)
        if reverse is None:
            raise UndoError(f"{action.spec.title.lower()} cannot be undone by pmcockpit")
        return Action(reverse.kind, reverse.connection, reverse.target_id, reverse.target_label,
                      reverse.params, reason or reverse.reason)

    async def undo(self, audit_id: int, *, reason: str = "", confirmed: bool = False
                   ) -> ActionResult:
        action = await asyncio.to_thread(self.undo_action, audit_id, reason)
        [result] = await self.run([action], confirmed=confirmed, undo_of=audit_id)
        return result


def _target_text(action: Action) -> str:
    label = action.target_label
    return f"{label} ({action.spec.target} {action.target_id})" if label else \
        f"{action.spec.target} {action.target_id}"
