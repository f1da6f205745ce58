"""``pmcockpit ticket`` and ``outbox`` as subprocesses against the simulated Redmine on
loopback: the tool goes down, changes wait in the outbox, pmcockpit is killed (SIGKILL)
and started again, the tool comes back, and each change reaches it exactly once."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmcockpit.sim import SimTool, serve
from pmcockpit.sim.models import Issue
from tests.killpoints import Pm

TOKEN = "queue-token"


@pytest.fixture
def tool() -> SimTool:
    return SimTool("redmine", seed=5, scale=30, token=TOKEN)


@pytest.fixture
def pm(tmp_path: Path, tool: SimTool) -> Iterator[tuple[Pm, int]]:
    """pmcockpit with the connection ``rm`` synced; yields it and the port of the tool,
    which is down until a test serves it there again."""
    pm = Pm(tmp_path / "home", "rm", TOKEN)
    # A tool that is down must not hold each command for the default 30 s.
    (pm.home / "config.toml").write_text("request_timeout = 1.0\nrequest_deadline = 2.0\n")
    with serve(tool) as running:
        added = pm("connect", "add", "rm", "--kind", "redmine", "--url", running.url)
        assert added.returncode == 0, added.stdout + added.stderr
        synced = pm("sync")
        assert synced.returncode == 0, synced.stderr
    yield pm, running.port


def open_issue(tool: SimTool) -> Issue:
    state = tool.state
    return min((i for i in state.issues.values()
                if not state.statuses[i.status_id].is_closed
                and state.projects[i.project_id].status == 1), key=lambda i: i.id)


def outbox_states(pm: Pm) -> list[str]:
    listed = pm("outbox", "list", "--all", "--json")
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line)["state"] for line in listed.stdout.splitlines()]


def test_changes_wait_for_a_tool_that_is_down_survive_a_kill_and_arrive_once(
        pm: tuple[Pm, int], tool: SimTool) -> None:
    cli, port = pm
    issue = open_issue(tool)
    key = f"rm#{issue.id}"
    shown = cli("ticket", "show", key, "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["key"] == key
    killed = cli("ticket", "comment", key, "--text", "Typed while it was down",
                 kill_at="outbox-queued")
    assert killed.returncode == -signal.SIGKILL
    queued = cli("ticket", "status", key, "In Progress")
    assert queued.returncode == 0, queued.stderr
    assert "queued in the outbox" in queued.stdout
    assert outbox_states(cli) == ["pending", "pending"]
    with serve(tool, port=port):
        sent = cli("outbox", "send")
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert "2 changes sent." in sent.stdout
        again = cli("outbox", "send")
        assert "Nothing waits" in again.stdout
    assert sum(j.notes == "Typed while it was down" for j in issue.journals) == 1
    assert tool.state.statuses[issue.status_id].name == "In Progress"
    assert outbox_states(cli) == ["sent", "sent"]


def test_a_send_killed_after_the_call_is_read_back_not_sent_twice(
        pm: tuple[Pm, int], tool: SimTool) -> None:
    cli, port = pm
    issue = open_issue(tool)
    key = f"rm#{issue.id}"
    assert cli("ticket", "status", key, "Feedback").returncode == 0
    with serve(tool, port=port):
        killed = cli("outbox", "send", kill_at="after-call")
        assert killed.returncode == -signal.SIGKILL
        assert outbox_states(cli) == ["sending"]
        changes = len(issue.journals)
        resent = cli("outbox", "send")
        assert resent.returncode == 0, resent.stdout + resent.stderr
        assert "1 change sent." in resent.stdout
    assert len(issue.journals) == changes  # read back, not made again
    assert tool.state.statuses[issue.status_id].name == "Feedback"
    assert outbox_states(cli) == ["sent"]
