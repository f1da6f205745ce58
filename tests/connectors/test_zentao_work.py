"""ZenTao stories and tasks as queue tickets (``queue.kinds``) against the simulated
ZenTao: listing, statuses as code and name, their actions through the audited path,
and the kinds the open-source API v1 lacks refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmcockpit.cli import main
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.errors import NotSupported
from pmcockpit.connectors.zentao_read import parse_time
from pmcockpit.connectors.zentao_work import parse_work, status_of
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.queue_definition import check_option
from pmcockpit.core.records import RemoteTicket
from pmcockpit.services.actions import ActionRunner, Outcome
from pmcockpit.sim.dialects.zentao.work import _work
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests.databases import database_url
from tests.services.tool_sim import tool_setup


async def _tickets(tool: SimTool, kinds: str | None, open_only: bool = False) -> list[str]:
    options = dict(tool.connector_options)
    if kinds is not None:
        options["queue.kinds"] = kinds
    connector = registry.open_connector(ConnectionConfig("zt", "zentao", tool.url, tool.token,
                                                         options), transport=tool.transport())
    try:
        return [t.key for t in await connector.list_tickets(open_only=open_only)]
    finally:
        await connector.aclose()


async def _listed(tool: SimTool, kinds: str) -> dict[str, RemoteTicket]:
    options = {**tool.connector_options, "queue.kinds": kinds}
    connector = registry.open_connector(ConnectionConfig("zt", "zentao", tool.url, tool.token,
                                                         options), transport=tool.transport())
    try:
        return {t.key: t for t in await connector.list_tickets()}
    finally:
        await connector.aclose()


async def test_the_kinds_asked_for_are_the_queue_with_keys_that_say_the_kind() -> None:
    tool = SimTool(dialect="zentao", seed=7, scale=40)
    stories, tasks = _work(tool.state)
    default = await _tickets(tool, None)
    assert default and all(k.startswith("BUG-") for k in default)
    everything = await _tickets(tool, "bugs, Stories,tasks")
    assert sorted(k for k in everything if not k.startswith("BUG-")) == sorted(
        [f"STORY-{s.id}" for s in stories] + [f"TASK-{t.id}" for t in tasks])
    only_open = await _tickets(tool, "stories,tasks", open_only=True)
    assert sorted(only_open) == sorted(
        [f"STORY-{s.id}" for s in stories if s.status != "closed"]
        + [f"TASK-{t.id}" for t in tasks if t.status != "closed"])


def test_a_status_keeps_its_code_and_shows_its_name() -> None:
    # story.php / stories.php answer the code; {code, name} where an entry formats it.
    assert status_of({"status": {"code": "closed", "name": "已关闭"}}, {}) == ("closed", "已关闭")
    story = {"id": 12, "title": "导出月度报表", "status": "active", "pri": 2, "type": "story",
             "openedBy": {"id": 3, "account": "lisi", "avatar": "", "realname": "李四"},
             "assignedTo": None, "openedDate": "2024-05-01T08:00:00Z"}
    ticket = parse_work("story", story, "product-1", parse_time)
    assert (ticket.remote_id, ticket.key, ticket.status, ticket.is_closed) == (
        "story-12", "STORY-12", "Active", False)
    task = parse_work("task", {**story, "status": "cancel"}, "4", parse_time)
    assert (task.key, task.status, task.is_closed, task.author_id) == (
        "TASK-12", "Cancelled", True, "3")


@pytest.mark.parametrize(("value", "reason"), [
    ("bugs,feedback", "feedback module of the paid Biz and Max editions"),
    ("tickets", "paid Biz and Max editions"),
    ("epics", "ZenTao tickets are bugs, stories, tasks, not 'epics'"),
])
def test_kinds_the_open_source_api_lacks_are_refused_with_the_reason(
        value: str, reason: str, tmp_path: Path) -> None:
    assert reason in (check_option("zentao", "queue.kinds", value) or "")
    tool = SimTool(dialect="zentao", seed=7, scale=20)
    with pytest.raises(NotSupported, match=reason.split(" ")[0]):
        registry.open_connector(ConnectionConfig(
            "zt", "zentao", tool.url, tool.token, {"account": "admin", "queue.kinds": value}))
    url = database_url(tmp_path / "state.db")
    db = open_database(url)
    with db.session() as session:
        connections.add(session, "zt", "zentao", tool.url, {"account": "admin"})
    result = CliRunner().invoke(main, ["--db", url, "connect", "set", "zt", "queue.kinds",
                                       value], prog_name="pmcockpit")
    assert result.exit_code == 2 and reason in " ".join(result.output.split())
    assert check_option("zentao", "queue.kinds", "bugs,stories,tasks") is None


async def test_story_and_task_actions_run_audited_and_undo(tmp_path: Path) -> None:
    setup = tool_setup(tmp_path, "zentao")
    stories, tasks = _work(setup.tool.state)
    story = next(s for s in stories if s.status == "active")
    task = next(t for t in tasks if t.status == "doing")
    other = next(u for u in setup.tool.state.users.values()
                 if u.id != task.assigned_to and u.status == 1 and not u.admin)
    close = Action(ActionKind.SET_TICKET_STATUS, "zentao", f"story-{story.id}",
                   f"STORY-{story.id}", {"status": "closed"})
    assign = Action(ActionKind.ASSIGN_TICKET, "zentao", f"task-{task.id}", f"TASK-{task.id}",
                    {"assignee_id": str(other.id)}, reason="接手部署")
    async with ActionRunner(setup.workspace) as runner:
        [preview, _preview] = await runner.preview([close, assign])
        assert [(c.method, c.path) for c in preview.calls] == [
            ("POST", f"/stories/{story.id}/close")]
        done = await runner.run([close, assign], confirmed=True)
        assert all(r.ok for r in done), [r.error for r in done]
        stories, tasks = _work(setup.tool.state)
        assert next(s for s in stories if s.id == story.id).status == "closed"
        assert next(t for t in tasks if t.id == task.id).assigned_to == other.id
        # The reason is the comment in the task's history, read back with the open task.
        listed = await _listed(setup.tool, "tasks")
        assert [c.body for c in listed[f"TASK-{task.id}"].comments] == ["接手部署"]
        for result in done:
            assert result.audit_id is not None
            undone = await runner.undo(result.audit_id, confirmed=True)
            assert undone.ok, undone.error
        stories, tasks = _work(setup.tool.state)
        assert next(s for s in stories if s.id == story.id).status == "active"
        assert next(t for t in tasks if t.id == task.id).assigned_to == task.assigned_to
        reopen = Action(ActionKind.SET_TICKET_STATUS, "zentao", f"task-{task.id}",
                        f"TASK-{task.id}", {"status": "active"})
        [refused] = await runner.run([reopen], confirmed=True)
    assert refused.outcome is not Outcome.SUCCEEDED
    assert "cannot reopen a task" in (refused.error or "")
