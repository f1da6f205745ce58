"""The newcomer's command line: a plain path for the database, the config's path and
settings, write mode armed from the command line, and undo reasons that do not stack."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pmcockpit.cli import main
from pmcockpit.config import database_url, load_settings
from pmcockpit.core.actions import Action, ActionKind, inverse


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in os.environ if n.startswith("PMCOCKPIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, prog_name="pmcockpit")


def test_a_plain_path_is_the_sqlite_file_there(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url("x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert database_url("postgresql://h/db") == "postgresql://h/db"
    (tmp_path / "config.toml").write_text('db = "data/mine.db"\n')
    settings = load_settings(tmp_path / "config.toml", environ={})
    assert settings.db == f"sqlite:///{tmp_path / 'data' / 'mine.db'}"


def test_db_takes_a_plain_path(tmp_path: Path) -> None:
    target = tmp_path / "plain.db"
    result = _invoke(["--db", str(target), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert target.exists()
    assert "Traceback" not in result.output


def test_config_path_and_show(tmp_path: Path) -> None:
    result = _invoke(["config", "path"])
    assert result.exit_code == 0
    assert result.output.strip() == str(tmp_path / "config.toml")
    (tmp_path / "config.toml").write_text("read_only = true\ninactive_days = 30\n")
    shown = _invoke(["config", "show"])
    assert shown.exit_code == 0, shown.output
    assert f"# {tmp_path / 'config.toml'} (exists)" in shown.output
    assert "read_only = true" in shown.output and "inactive_days = 30" in shown.output
    assert '"Urgent" = 4' in shown.output


@pytest.mark.parametrize(("args", "message"), [
    (["--write-for", "30m"], "--write-for needs --reason"),
    (["--reason", "x", "db", "info"], "--reason goes with --write-for"),
    (["--write-for", "soon", "--reason", "x"], "'soon' is no duration"),
    (["--write-for", "13h", "--reason", "x"], "at most 12 hours"),
])
def test_write_for_is_checked_before_anything_opens(args: list[str], message: str) -> None:
    result = _invoke(args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_undoing_an_undo_does_not_stack_its_reason() -> None:
    lock = Action(ActionKind.LOCK_USER, "redmine", "7", "ann", {}, "left the company")
    undo = inverse(lock, {})
    assert undo is not None and undo.reason == "undo: left the company"
    again = inverse(undo, {})
    assert again is not None and again.reason == "undo: left the company"


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connect_add_says_nothing_answers_before_asking_for_the_token() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = CliRunner().invoke(main, ["connect", "add", "rm", "--kind", "redmine", "--url",
                                       url], prog_name="pmcockpit")
    assert result.exit_code == 1, result.output
    assert f"nothing answers at {url}" in result.output
    assert "API token" not in result.output and "Traceback" not in result.output


def test_connect_add_without_a_terminal_suggests_token_stdin() -> None:
    result = CliRunner().invoke(main, ["connect", "add", "rm", "--kind", "redmine", "--url",
                                       "http://127.0.0.1:1", "--no-test"], input="",
                                prog_name="pmcockpit")
    assert result.exit_code == 2, result.output
    assert "--token-stdin" in result.output and "Aborted" not in result.output


def test_act_usage_errors_are_short() -> None:
    result = _invoke(["act", "rm", "frobnicate", "x"])
    assert result.exit_code == 2
    assert "no action 'frobnicate': `pmcockpit act --list`" in result.output
    assert "lock-user" not in result.output and len(result.output.splitlines()) <= 4
