"""The Jira connector and the Jira simulator against Atlassian's published spec: every
call the connector makes is an operation the spec has, with parameters it declares,
and every answer the simulator gives fits that operation's response schema."""

from __future__ import annotations

import contextlib

import pytest

from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.connectors.jira import JiraConnector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.sim.tool import SimTool
from tests.connectors.conftest import SleepRecorder
from tests.connectors.jira_contract import SPEC, Recorder, operation_of, schema_problems
from tests.connectors.jira_setup import sim_connector

pytestmark = pytest.mark.skipif(not SPEC.exists(), reason="the vendor spec is not here")


async def _exercise(jira: JiraConnector) -> None:
    """Every read, and one of each action the platform API does, against the sim."""
    await jira.server_info()
    me = await jira.current_account()
    accounts = await jira.list_accounts()
    groups = await jira.list_groups()
    roles = await jira.list_roles()
    projects = await jira.list_projects()
    await jira.list_memberships([p.remote_id for p in projects])
    tickets = await jira.list_tickets()
    ticket = next(t for t in tickets if not t.is_closed)
    other = next(a for a in accounts if a.remote_id != me.remote_id and a.kind.value == "person"
                 and a.status.value == "active")
    group = next(g for g in groups if other.remote_id not in g.member_ids)
    actions = [
        Action(ActionKind.ADD_COMMENT, "jira", ticket.remote_id, params={"body": "Checked."}),
        Action(ActionKind.ASSIGN_TICKET, "jira", ticket.remote_id,
               params={"assignee_id": other.remote_id}),
        Action(ActionKind.SET_TICKET_STATUS, "jira", ticket.remote_id,
               params={"status": "Done"}),
        Action(ActionKind.ADD_GROUP_MEMBER, "jira", group.remote_id,
               params={"user_id": other.remote_id}),
        Action(ActionKind.ADD_MEMBERSHIP, "jira", projects[0].remote_id,
               params={"principal_id": other.remote_id, "role_ids": [roles[0].remote_id]}),
        Action(ActionKind.CREATE_TICKET, "jira", projects[0].remote_id,
               params={"subject": "Contract", "description": "From the contract test."}),
    ]
    for action in actions:
        # A refusal is an answer too: it is checked like the others.
        with contextlib.suppress(ConnectorError):
            await jira.execute(action, await jira.prepare(action))


@pytest.fixture
async def recorded(sleeps: SleepRecorder) -> Recorder:
    sim = SimTool(dialect="jira", seed=7, scale=150)
    recorder = Recorder(sim.transport())
    jira = sim_connector(sim, sleeps, admin_api=False, transport=recorder)
    try:
        await _exercise(jira)
    finally:
        await jira.aclose()
    return recorder


async def test_every_call_is_an_operation_of_the_spec(recorded: Recorder) -> None:
    unknown = sorted({f"{e.method} {e.path}" for e in recorded
                      if operation_of(e.method, e.path) is None})
    assert unknown == []
    assert len({operation_of(e.method, e.path) for e in recorded}) >= 10


async def test_every_query_parameter_is_declared(recorded: Recorder) -> None:
    undeclared = sorted({f"{e.method} {op.template}: {name}" for e in recorded
                         if (op := operation_of(e.method, e.path)) is not None
                         for name in e.query if name not in op.query})
    assert undeclared == []


async def test_every_answer_fits_the_documented_schema(recorded: Recorder) -> None:
    problems = sorted({f"{e.method} {op.template} {e.status}: {problem}" for e in recorded
                       if (op := operation_of(e.method, e.path)) is not None
                       and e.body is not None
                       for problem in schema_problems(op, e.status, e.body)})
    assert problems == []
