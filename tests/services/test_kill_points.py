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
