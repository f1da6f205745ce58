"""Two pmcockpit processes online on one database send each outbox item once.

Each holds a lease on the item it sends (``claimed_by``/``claimed_until``): the other
neither sends it nor reads its call back as if it were in doubt, even when it reads the
item between the claim and the call's audit entry. Two workspaces, each with its own
engine (its own connection pool), stand for two processes; one simulated Redmine
stands for the tool, so what it received can be counted.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.clock import utcnow
from pmcockpit.services import audit_log, outbox
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.outbox import Delivery
from pmcockpit.services.reconcile import reconcile
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.tool import SimTool
from pmcockpit.sim.transport import SimTransport
from pmcockpit.storage import connections
from pmcockpit.storage import outbox as store
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import AuditEntry, OutboxItem
from tests.databases import database_url

CONNECTION = "rm"
MARK = "pmcockpit test: "


class Gate(SimTransport):
    """The simulated tool, holding every change until the test opens the gate."""

    def __init__(self, tool: SimTool) -> None:
        super().__init__(tool)
        self.reached = asyncio.Event()
        self.open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in ("PUT", "POST", "DELETE"):
            self.reached.set()
            await self.open.wait()
        return await super().handle_async_request(request)


def _operator(tmp_path: Path, tool: SimTool, name: str,
              transport: SimTransport | None = None) -> Workspace:
    """One operator's pmcockpit: its own engine on the shared database."""
    db = open_database(database_url(tmp_path / "team.db"))

    def open_connector(connection: str) -> Connector:
        config = ConnectionConfig(connection, "redmine", tool.url, tool.token)
        return registry.open_connector(config, transport=transport or tool.transport())

    return Workspace(Settings(db=str(db.engine.url), operator=name), db, open_connector)


def _setup(tmp_path: Path) -> tuple[SimTool, int]:
    tool = SimTool(seed=7, scale=40)
    db = open_database(database_url(tmp_path / "team.db"))
    with db.session() as session:
        connections.add(session, CONNECTION, "redmine", tool.url)
    db.dispose()
    issue = min(tool.state.issues.values(), key=lambda i: i.id)
    return tool, issue.id


def _comment(issue_id: int, body: str) -> Action:
    return Action(ActionKind.ADD_COMMENT, CONNECTION, str(issue_id), f"#{issue_id}",
                  {"body": MARK + body})


def _notes(tool: SimTool, issue_id: int) -> list[str]:
    """The comments the tool received from the test (not the simulated org's own)."""
    return [j.notes for j in tool.state.issues[issue_id].journals
            if j.notes.startswith(MARK)]


def _states(workspace: Workspace) -> list[tuple[str, str | None]]:
    with workspace.db.session() as session:
        return [(i.state, i.claimed_by)
                for i in session.scalars(select(OutboxItem).order_by(OutboxItem.id))]


async def test_an_item_read_while_another_sends_it_is_left_to_that_one(
        tmp_path: Path) -> None:
    tool, issue = _setup(tmp_path)
    gate = Gate(tool)
    alice = _operator(tmp_path, tool, "alice", gate)
    bob = _operator(tmp_path, tool, "bob")
    outbox.enqueue(alice, _comment(issue, "once only"), f"#{issue}")
    sending = asyncio.create_task(outbox.send_pending(alice))
    await gate.reached.wait()  # alice claimed it and logged her intent: the call is out
    [waiting] = await outbox.send_pending(bob)
    assert waiting.delivery is Delivery.QUEUED and "alice@" in waiting.message
    assert await reconcile(bob) == []  # alice's intent is in flight, not in doubt
    gate.open.set()
    [sent] = await sending
    assert sent.delivery is Delivery.SENT
    assert await outbox.send_pending(bob) == []
    assert _notes(tool, issue) == [MARK + "once only"]
    assert _states(bob) == [("sent", None)]
    result = audit_log.verify(bob)
    assert result.intact and result.in_doubt == [], result.problems


async def test_a_lease_run_out_lets_the_other_read_back_and_settle(tmp_path: Path) -> None:
    tool, issue = _setup(tmp_path)
    alice = _operator(tmp_path, tool, "alice")
    bob = _operator(tmp_path, tool, "bob")
    outbox.enqueue(alice, _comment(issue, "kept"), f"#{issue}")
    with alice.db.session() as session:
        [item] = store.waiting(session)
    assert outbox.claim(alice, item)  # alice dies right after claiming it
    assert (await outbox.send_pending(bob))[0].delivery is Delivery.QUEUED
    with alice.db.session() as session:
        session.execute(update(OutboxItem).values(claimed_until=utcnow() - timedelta(1)))
    [sent] = await outbox.send_pending(bob)
    assert sent.delivery is Delivery.SENT
    assert _notes(tool, issue) == [MARK + "kept"]
    assert _states(bob) == [("sent", None)]


@pytest.mark.postgresql_only  # two processes at once: SQLite's file lock serialises them
async def test_two_processes_online_send_each_item_once(tmp_path: Path) -> None:
    tool, issue = _setup(tmp_path)
    tool.faults.latency_ms = 5.0  # calls take time: the two runs interleave
    alice = _operator(tmp_path, tool, "alice")
    bob = _operator(tmp_path, tool, "bob")
    bodies = [f"change {n}" for n in range(12)]
    for n, body in enumerate(bodies):
        outbox.enqueue(alice if n % 2 else bob, _comment(issue, body), f"#{issue}")
    rounds = [await asyncio.gather(outbox.send_pending(alice), outbox.send_pending(bob))
              for _ in range(len(bodies))]
    sent = [d.item_id for pair in rounds for run in pair for d in run
            if d.delivery is Delivery.SENT]
    assert sorted(sent) == list(range(1, len(bodies) + 1))  # each once, by one of them
    assert _notes(tool, issue) == [MARK + b for b in bodies]  # each once, in the order typed
    assert {state for state, _ in _states(alice)} == {"sent"}
    result = audit_log.verify(alice)
    assert result.intact and result.in_doubt == [], result.problems


async def test_a_direct_act_in_flight_is_not_read_back_by_another(tmp_path: Path) -> None:
    """Not through the outbox: alice's ``act`` logged its intent and waits on the tool;
    bob's reconcile leaves it to her, until her process would have had to be done."""
    tool, issue = _setup(tmp_path)
    gate = Gate(tool)
    alice = _operator(tmp_path, tool, "alice", gate)
    bob = _operator(tmp_path, tool, "bob")
    async with ActionRunner(alice) as runner:
        acting = asyncio.create_task(runner.run([_comment(issue, "direct")], confirmed=True))
        await gate.reached.wait()  # the intent is logged, the call is out
        assert audit_log.verify(bob).in_doubt != []  # it looks in doubt in the log...
        assert await reconcile(bob) == []  # ...but alice is calling the tool for it
        with bob.db.session() as session:  # an hour on, alice's process still says nothing
            session.execute(update(AuditEntry).values(at=utcnow() - timedelta(hours=1)))
        assert [d.intent_id for d in await reconcile(bob)] == [1]
        gate.open.set()
        [result] = await acting
    assert result.ok
    assert _notes(tool, issue) == [MARK + "direct"]

