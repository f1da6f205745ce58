"""The one path by which pmcockpit changes a connected tool.

Every action is previewed (the calls it would make), refused in read-only mode or
when the tool cannot do it, needs confirmation when destructive, and then runs
write-ahead: its target is read once (``prepare``), the *intent* (who, what, why and
the state captured before) is committed to the audit log, the prepared calls are
made, and the outcome is appended, linked to the intent. A process that dies in
between leaves an intent with no outcome, "in doubt", which
:mod:`pmcockpit.services.reconcile` settles by reading the tool. Results are
reported per item: one failure does not stop the rest.
"""

from __future__ import annotations

import asyncio
import enum
import json
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pmcockpit.connectors.base import Connector, PlannedCall, Prepared
from pmcockpit.connectors.errors import ConnectorError, NotSupported, Unreachable
from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import _
from pmcockpit.services import audit_log
from pmcockpit.services.outbox_lease import holder
from pmcockpit.services.sync_marks import CHANGES_MEMBERS, members_changed
from pmcockpit.services.undo import UndoError, undo_action
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import audit, connections
from pmcockpit.storage.audit import ChainKey

__all__ = ["ActionResult", "ActionRunner", "ConnectorError", "Outcome", "Preview",
           "UndoError"]

KILL_ENV = "PMCOCKPIT_TEST_KILL_AT"
IN_FLIGHT: set[int] = set()
"""Intents this process logged and is calling the tool for now: not in doubt (yet)."""
"""Tests only: the named step at which the process kills itself (SIGKILL)."""


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


ResultCallback = Callable[[int, int, ActionResult], None]
"""Called after each action with (index, total, result), for progress."""


def kill_point(name: str) -> None:
    """Die here, as a crash would, when a test asked for it (``PMCOCKPIT_TEST_KILL_AT``)."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _plan_key(action: Action) -> str:
    """The same action whatever its reason: a preview's plan serves the run after it."""
    data = action.to_json()
    data.pop("reason")
    data.pop("tool", None)  # known or not yet: the same action
    return json.dumps(data, sort_keys=True, default=str)


class ActionRunner:
    """Runs actions for one dialog or command: opens each connector and reads the
    chain key once, and keeps each preview's prepared plan for the run that follows."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._connectors: dict[str, Connector] = {}
        self._prepared: dict[str, Prepared] = {}
        self._key: ChainKey | None = None
        self._kinds: dict[str, str] = {}

    async def __aenter__(self) -> ActionRunner:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        connectors, self._connectors = self._connectors, {}
        for connector in connectors.values():
            await connector.aclose()

    async def chain_key(self) -> ChainKey:
        if self._key is None:  # the keyring is I/O: not on the event loop
            self._key = await asyncio.to_thread(audit_log.key_for, self.workspace)
        return self._key

    async def connector(self, name: str) -> Connector:
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

    async def tagged(self, action: Action) -> Action:
        """``action`` with its connection's kind, so it is named (and its parameters
        checked) as that tool does; unchanged when the connection is unknown."""
        if action.tool:
            return action
        if action.connection not in self._kinds:
            self._kinds[action.connection] = await asyncio.to_thread(
                self._kind_of, action.connection)
        kind = self._kinds[action.connection]
        return replace(action, tool=kind) if kind else action

    def _kind_of(self, name: str) -> str:
        with self.workspace.db.session() as session:
            try:
                return connections.get(session, name).kind
            except connections.UnknownConnection:
                return ""

    async def _refusal(self, action: Action) -> str | None:
        problems = action.validate()
        if problems:
            return "; ".join(problems)
        if self.workspace.read_only:
            return _("read-only mode: pmcockpit changes nothing in the tools "
                     "(--read-only or config)")
        if _plan_key(action) in self._prepared:
            return None  # checked when the dry run prepared it: once per action
        connector = await self.connector(action.connection)
        capability = action.spec.capability
        if capability not in connector.capabilities():
            reason = connector.unsupported_reason(capability) or \
                _("cannot {what}").format(what=capability.label)
            return _("{name} ({kind}) {reason}").format(
                name=connector.config.name, kind=connector.kind, reason=reason)
        return None

    async def _prepare(self, action: Action) -> Prepared:
        """One read of the target; a plan from this runner's preview is used once."""
        cached = self._prepared.pop(_plan_key(action), None)
        if cached is not None:
            return cached
        return await (await self.connector(action.connection)).prepare(action)

    async def preview(self, actions: Sequence[Action]) -> list[Preview]:
        """The calls each action would make. Changes nothing and records nothing."""
        previews = []
        for action in [await self.tagged(a) for a in actions]:
            try:
                refusal = await self._refusal(action)
                prepared = None if refusal else await self._prepare(action)
            except (ConnectorError, LookupError) as error:
                previews.append(Preview(action, refusal=str(error)))
                continue
            if prepared is not None:
                self._prepared[_plan_key(action)] = prepared
            previews.append(Preview(action, prepared.calls if prepared else [], refusal))
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
        action = await self.tagged(action)
        detail: dict[str, Any] = {"action": action.to_json()}
        try:
            refusal = await self._refusal(action)
            if refusal is None and action.destructive and not confirmed:
                refusal = _("destructive action not confirmed")
            prepared = None if refusal else await self._prepare(action)
        except NotSupported as error:
            return await self._record(action, Outcome.REFUSED, detail, str(error), undo_of)
        except (ConnectorError, LookupError) as error:
            # Nothing was changed: the target could not be read, or the tool refused.
            status = Outcome.FAILED if isinstance(error, ConnectorError) else Outcome.REFUSED
            return await self._record(action, status, detail, str(error), undo_of)
        if prepared is None:
            return await self._record(action, Outcome.REFUSED, detail, refusal, undo_of)
        detail["before"] = prepared.before
        kill_point("before-intent")
        intent = await self._append(action, audit.INTENT, {
            **detail, "calls": [str(call) for call in prepared.calls],
            "by": holder(self.workspace)}, None, undo_of, None)
        kill_point("after-intent")
        if action.kind in CHANGES_MEMBERS:  # from here the change may reach the tool
            await asyncio.to_thread(self._members_changed, action.connection)
        IN_FLIGHT.add(intent)
        try:
            return await self._call(action, prepared, detail, undo_of, intent)
        finally:
            IN_FLIGHT.discard(intent)

    def _members_changed(self, name: str) -> None:
        with self.workspace.db.session() as session:
            members_changed(connections.get(session, name))

    async def _call(self, action: Action, prepared: Prepared, detail: dict[str, Any],
                    undo_of: int | None, intent: int) -> ActionResult:
        """Make the calls of a logged intent and append their outcome."""
        try:
            connector = await self.connector(action.connection)
            detail["result"] = await connector.execute(action, prepared)
        except Unreachable as error:
            # No answer: the change may have reached the tool. No outcome is guessed; the
            # intent stays in doubt until reconcile reads the target back.
            note = _("{error}; the change may have reached the tool: it stays in doubt until "
                     "`pmcockpit audit reconcile` reads it back").format(error=error)
            return ActionResult(action, Outcome.FAILED, intent, note)
        except ConnectorError as error:
            return await self._record(action, Outcome.FAILED, detail, str(error), undo_of,
                                      intent)
        kill_point("after-call")
        result = await self._record(action, Outcome.SUCCEEDED, detail, None, undo_of, intent)
        kill_point("after-outcome")
        return result

    async def _record(
        self, action: Action, outcome: Outcome, detail: dict[str, Any], error: str | None,
        undo_of: int | None, intent: int | None = None,
    ) -> ActionResult:
        audit_id = await self._append(action, outcome.value, detail, error, undo_of, intent)
        return ActionResult(action, outcome, audit_id, error, dict(detail.get("result") or {}))

    async def _append(self, action: Action, status: str, detail: dict[str, Any],
                      error: str | None, undo_of: int | None, intent: int | None) -> int:
        record = audit.AuditRecord(
            operator=self.workspace.settings.operator, connection_name=action.connection,
            action=action.kind.value, target=target_text(action), status=status,
            detail=detail, reason=action.reason, error=error, undo_of=undo_of,
            intent_id=intent,
        )
        key = await self.chain_key()
        return await asyncio.to_thread(audit_log.append, self.workspace, record, key)

    async def record_outcome(self, action: Action, status: str, detail: dict[str, Any],
                             note: str, intent: int, undo_of: int | None) -> int:
        """Append what became of ``intent`` when it was learnt later (reconcile)."""
        return await self._append(action, status, detail, note, undo_of, intent)

    def undo_action(self, audit_id: int, reason: str) -> Action:
        """The action that reverses audit entry ``audit_id``; raises UndoError if none."""
        return undo_action(self.workspace, audit_id, reason)

    async def undo(self, audit_id: int, *, reason: str = "", confirmed: bool = False
                   ) -> ActionResult:
        action = await asyncio.to_thread(self.undo_action, audit_id, reason)
        [result] = await self.run([action], confirmed=confirmed, undo_of=audit_id)
        return result


def target_text(action: Action) -> str:
    label = action.target_label
    return f"{label} ({action.spec.target} {action.target_id})" if label else \
        f"{action.spec.target} {action.target_id}"
