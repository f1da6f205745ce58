"""``pmcockpit serve``: loopback by default; elsewhere only when asked, with a warning."""

from __future__ import annotations

import shlex

from click.testing import CliRunner

from pmcockpit.cli import main
from pmcockpit.commands.context import CliContext
from pmcockpit.commands.serve import app_command, is_loopback
from pmcockpit.config import Settings


def test_a_public_address_needs_the_flag() -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "0.0.0.0 is not a loopback address" in result.output
    assert "--public" in result.output and "ssh -L 8000:127.0.0.1:8000" in result.output


def test_loopback_addresses() -> None:
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0",
                                     "192.168.1.4", "cockpit.example")] == \
        [True, True, True, False, False, False]


def test_each_tab_runs_the_demo_or_the_cockpit_on_the_same_database() -> None:
    demo = shlex.split(app_command(CliContext(Settings(read_only=True)), demo=True))
    assert demo[1:] == ["-m", "pmcockpit", "--read-only", "demo"]
    team = shlex.split(app_command(CliContext(Settings(db="postgresql+psycopg://a@h/db")),
                                   demo=False))
    assert team[1:] == ["-m", "pmcockpit", "--db", "postgresql+psycopg://a@h/db"]
