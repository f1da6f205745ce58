"""Kill -9 ``pmcockpit act`` at each step of an action, then check what the log says.

The CLI runs in a subprocess (``python -m pmcockpit``) against a tool on loopback, with
``PMCOCKPIT_TEST_KILL_AT`` naming the step at which it SIGKILLs itself. No keyring:
the tool's token comes from the environment and the chain key from the key file, so
every subprocess of one case shares them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pmcockpit.core.actions import Action
from pmcockpit.services import actions as action_service
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
POINTS = ("before-intent", "after-intent", "after-call", "after-outcome")
CHANGED_AT = {"before-intent": False, "after-intent": False, "after-call": True,
              "after-outcome": True}
"""Whether the tool was changed when the process died at each step."""


@dataclass
class Pm:
    """``python -m pmcockpit`` in its own HOME, database and key file."""

    home: Path
    connection: str
    token: str

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    def env(self, kill_at: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PMCOCKPIT_")}
        env.update(HOME=str(self.home), XDG_DATA_HOME=str(self.home / "data"),
                   XDG_CONFIG_HOME=str(self.home / "config"), PYTHONPATH=str(ROOT),
                   PMCOCKPIT_CONFIG=str(self.home / "config.toml"),
                   PMCOCKPIT_DB=f"sqlite:///{self.home / 'pmcockpit.db'}",
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        env["PMCOCKPIT_TOKEN_" + self.connection.upper()] = self.token
        if kill_at:
            env["PMCOCKPIT_TEST_KILL_AT"] = kill_at
        return env

    def __call__(self, *args: str, kill_at: str | None = None
                 ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pmcockpit", *args], cwd=ROOT,
                              env=self.env(kill_at), capture_output=True, text=True,
                              timeout=120, check=False)

    def entries(self) -> list[dict[str, Any]]:
        listing = self("audit", "list", "--json")
        assert listing.returncode == 0, listing.stderr
        return [json.loads(line) for line in listing.stdout.splitlines()]


@dataclass(frozen=True)
class CaseResult:
    point: str
    exit_code: int
    changed: bool
    logged: list[str]
    """Statuses in the log right after the kill, oldest first."""
    verify: str
    reconcile: str
    final: list[str]
    """Statuses after reconcile, oldest first."""

    def row(self) -> str:
        return (f"{self.point:<14} exit {self.exit_code:>3}  tool changed: {self.changed!s:<5} "
                f"log: {','.join(self.logged) or '-':<17} verify: {self.verify:<28} "
                f"reconcile: {self.reconcile:<40} final: {','.join(self.final) or '-'}")


def run_case(pm: Pm, point: str, act_args: list[str], changed: Callable[[], bool]
             ) -> CaseResult:
    """Kill ``act`` at ``point``, then check the log names the action and tells the truth."""
    killed = pm("act", *act_args, kill_at=point)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)
    is_changed = changed()
    assert is_changed is CHANGED_AT[point], point
    logged = pm.entries()
    verified = pm("audit", "verify")
    assert verified.returncode == 0, verified.stderr  # a crash is not tampering
    doubt = "1 action in doubt" in verified.stdout
    assert doubt is (point in ("after-intent", "after-call")), verified.stdout
    reconciled = pm("audit", "reconcile")
    assert reconciled.returncode == 0, reconciled.stderr
    final = pm.entries()
    after = pm("audit", "verify")
    assert after.returncode == 0 and "in doubt" not in after.stdout, after.stdout
    if point == "before-intent":  # nothing was done, and nothing claims it was
        assert logged == [] and final == []
    else:
        action = act_args[1]
        assert all(e["action"] == action for e in final)
        intent, outcome = final[-1], final[-2]
        assert intent["status"] == "intent" and outcome["intent_id"] == intent["id"]
        # The truth read back from the tool: changed means succeeded, unchanged failed.
        assert outcome["status"] == ("succeeded" if is_changed else "failed"), outcome
    first_line = (reconciled.stdout.strip().splitlines() or [""])[0]
    return CaseResult(point, killed.returncode, is_changed,
                      [e["status"] for e in reversed(logged)],
                      "in doubt" if doubt else "intact",
                      first_line.split(": ", 1)[-1][:40],
                      [e["status"] for e in reversed(final)])


class Crash(BaseException):
    """Stands for kill -9 in-process: nothing after the kill point runs, no handler
    sees it (it is not an Exception)."""


async def crash_at(workspace: Workspace, action: Action, point: str,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``action`` and stop dead at the kill point ``point``."""
    def kill(name: str) -> None:
        if name == point:
            raise Crash(name)

    real_kill_point = action_service.kill_point
    monkeypatch.setattr(action_service, "kill_point", kill)
    runner = ActionRunner(workspace)
    try:
        with pytest.raises(Crash):
            await runner.run([action], confirmed=True)
    finally:
        await runner.aclose()
        monkeypatch.setattr(action_service, "kill_point", real_kill_point)
