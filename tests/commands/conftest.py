"""CLI tests against the simulated Redmine served over HTTP on loopback.

Every test gets its own HOME, config path, database and in-memory keyring: the
machine's keyring and the user's files are never touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner, Result

from pmcockpit.cli import main
from pmcockpit.sim import RunningServer, SimTool, serve
from tests.keyring_backend import MemoryKeyring

CANARY = "canary-7f3e9d1c2b4a-token-do-not-print"


@dataclass
class Cli:
    runner: CliRunner
    home: Path
    keyring: MemoryKeyring
    outputs: list[str]

    def __call__(self, *args: str, input: str | None = None) -> Result:  # noqa: A002
        result = self.runner.invoke(main, list(args), input=input, catch_exceptions=False)
        self.outputs.append(result.output + (result.stderr if result.stderr_bytes else ""))
        return result


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    home = tmp_path / "home"
    home.mkdir()
    for name in [n for n in os.environ if n.startswith("PMCOCKPIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("PMCOCKPIT_DB", f"sqlite:///{home / 'pmcockpit.db'}")
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield Cli(CliRunner(), home, backend, [])
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def redmine_sim() -> Iterator[RunningServer]:
    """The simulated Redmine on loopback; its admin's API token is the canary."""
    with serve(SimTool("redmine", seed=7, scale=60, token=CANARY)) as running:
        yield running
