"""Two operators, two pmcockpit processes, one PostgreSQL database, acting at once.

Each operator locks 16 accounts of the simulated Redmine through the CLI at the same
time: nothing is lost, the audit log stays one chain, and ``audit verify`` passes for
both (the team shares the audit key through ``audit key export|import``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmcockpit.sim import RunningServer, SimTool, serve
from tests.databases import database_url

pytestmark = pytest.mark.postgresql_only

TOKEN = "two-operators-token"
EACH = 16


@pytest.fixture
def redmine() -> Iterator[RunningServer]:
    with serve(SimTool("redmine", seed=7, scale=60, token=TOKEN)) as running:
        yield running


def _environment(home: Path, url: str, operator: str) -> dict[str, str]:
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMCOCKPIT_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), PMCOCKPIT_CONFIG=str(home / "c.toml"),
               PMCOCKPIT_DB=url, PMCOCKPIT_OPERATOR=operator, PMCOCKPIT_TOKEN_RM=TOKEN,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmcockpit", *args], env=env, text=True,
                          capture_output=True, timeout=600, check=False)


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pmcockpit", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_operators_locking_at_once_keep_one_chain(
        tmp_path: Path, redmine: RunningServer) -> None:
    url = database_url(tmp_path / "team.db")
    alice = _environment(tmp_path / "alice", url, "alice")
    bob = _environment(tmp_path / "bob", url, "bob")
    added = _run(alice, "connect", "add", "rm", "--kind", "redmine", "--url", redmine.url)
    assert added.returncode == 0, added.stderr
    exported = _run(alice, "audit", "key", "export", str(tmp_path / "team.key"))
    assert exported.returncode == 0, exported.stderr
    imported = _run(bob, "audit", "key", "import", str(tmp_path / "team.key"))
    assert imported.returncode == 0, imported.stderr
    users = sorted(u.id for u in redmine.tool.state.users.values()
                   if u.status == 1 and not u.admin)[: 2 * EACH]
    assert len(users) == 2 * EACH
    runs = [_start(env, "act", "rm", "lock-user", *map(str, share), "--reason",
                   f"left ({name})", "--yes", "--json")
            for env, name, share in ((alice, "alice", users[:EACH]),
                                     (bob, "bob", users[EACH:]))]
    for run in runs:
        _out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    assert all(redmine.tool.state.users[u].status != 1 for u in users)
    listed = _run(bob, "audit", "list", "--json", "--limit", "500")
    entries = [json.loads(line) for line in listed.stdout.splitlines()]
    done = [e for e in entries if e["action"] == "lock-user" and e["status"] != "intent"]
    assert {e["operator"] for e in done} == {"alice", "bob"}
    assert sorted(int(re.findall(r"\d+", e["target"])[0]) for e in done) == users
    assert len(entries) == 4 * EACH  # an intent and an outcome for each lock
    for env in (alice, bob):
        verified = _run(env, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
