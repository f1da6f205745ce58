"""kill -9 in the middle of ``pmcockpit act`` against the simulated Redmine on loopback:
at every step the log names the action (or nothing was done), verify says what is in
doubt, and reconcile records the truth read back from the tool."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmcockpit.sim import RunningServer, SimTool, serve
from tests.killpoints import POINTS, ROOT, Pm, run_case

TOKEN = "kill-point-token"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningServer]:
    with serve(SimTool("redmine", seed=11, scale=40, token=TOKEN)) as running:
        yield running


@pytest.mark.parametrize("point", POINTS)
def test_kill_at_each_step_leaves_a_log_that_tells_the_truth(
        sim: RunningServer, tmp_path: Path, point: str) -> None:
    state = sim.tool.state
    active = [u for u in sorted(state.users.values(), key=lambda u: u.id)
              if u.status == 1 and not u.admin and u.login != "admin"]
    user = active[POINTS.index(point)]  # one user per case: the server is shared
    pm = Pm(tmp_path / "home", "rm", TOKEN)
    added = pm("connect", "add", "rm", "--kind", "redmine", "--url", sim.url)
    assert added.returncode == 0, added.stdout + added.stderr
    result = run_case(pm, point, ["rm", "lock-user", str(user.id), "--reason", "left",
                                  "--yes"], lambda: state.users[user.id].status == 3)
    print(result.row())


def test_an_undecodable_reason_is_refused_before_the_call(sim: RunningServer,
                                                          tmp_path: Path) -> None:
    """``--reason "$(printf 'bad\\xff')"``: refused with the reason why, nothing changed,
    no traceback; before, the user was locked and the audit row lost."""
    state = sim.tool.state
    user = [u for u in sorted(state.users.values(), key=lambda u: u.id)
            if u.status == 1 and not u.admin and u.login != "admin"][len(POINTS)]
    pm = Pm(tmp_path / "home", "rm", TOKEN)
    assert pm("connect", "add", "rm", "--kind", "redmine", "--url", sim.url).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "pmcockpit", "act", "rm", "lock-user", str(user.id),
         "--reason", b"bad\xff", "--yes"], cwd=ROOT, env=pm.env(), capture_output=True,
        check=False)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, stderr
    assert "not valid Unicode" in stderr and "\\udcff" in stderr
    assert "Traceback" not in stderr
    assert state.users[user.id].status == 1
    assert pm.entries() == []


def test_a_bulk_act_killed_midway_is_settled_by_the_next_act(sim: RunningServer,
                                                            tmp_path: Path) -> None:
    """Two targets, killed after the first one's remote call: the second never ran; the
    next ``act`` first reconciles the first (changed), then does its own work."""
    state = sim.tool.state
    users = [u for u in sorted(state.users.values(), key=lambda u: u.id)
             if u.status == 1 and not u.admin and u.login != "admin"][len(POINTS) + 1:][:3]
    pm = Pm(tmp_path / "home", "rm", TOKEN)
    assert pm("connect", "add", "rm", "--kind", "redmine", "--url", sim.url).returncode == 0
    killed = pm("act", "rm", "lock-user", str(users[0].id), str(users[1].id), "--reason",
                "left", "--yes", kill_at="after-call")
    assert killed.returncode == -9
    assert [state.users[u.id].status for u in users[:2]] == [3, 1]
    assert [e["status"] for e in pm.entries()] == ["intent"]
    again = pm("act", "rm", "lock-user", str(users[2].id), "--reason", "left", "--yes")
    assert again.returncode == 0, again.stderr
    assert "reconciled lock-user (entry 1): in doubt; read back from the tool: changed" \
        in again.stdout
    statuses = [(e["id"], e["status"], e["intent_id"]) for e in reversed(pm.entries())]
    assert statuses == [(1, "intent", None), (2, "succeeded", 1), (3, "intent", None),
                        (4, "succeeded", 3)]
    assert pm("audit", "verify").returncode == 0
