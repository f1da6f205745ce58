"""The ``pmcockpit`` command: help everywhere, version, the ``db`` group, clean failures.

Mostly through ``CliRunner``; a few runs of the real installed console script and of
``python -m pmcockpit`` in a subprocess, with the same isolated environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pmcockpit import __version__
from pmcockpit.cli import main
from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.storage.db import head_revision

SUBPROCESS_TIMEOUT_S = 120.0


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's real config, data folder and PMCOCKPIT_* variables are never read."""
    for name in [n for n in os.environ if n.startswith("PMCOCKPIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _invoke(runner: CliRunner, args: list[str], env: dict[str, str] | None = None) -> Result:
    return runner.invoke(main, args, env=env, prog_name="pmcockpit")


def _ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _refused(result: Result) -> str:
    """Exit code 1, an ``Error:`` line for a person, and no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Error:" in result.output
    assert "Traceback" not in result.output
    return result.output


def _command_paths(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _command_paths(command, path)


COMMAND_PATHS = [path for path, _ in _command_paths(main)]


# --- version and help ----------------------------------------------------------------------


def test_version(runner: CliRunner) -> None:
    assert _ok(_invoke(runner, ["--version"])).strip() == f"pmcockpit, version {__version__}"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_top_level_help_lists_the_subcommands(runner: CliRunner, flag: str) -> None:
    output = _ok(_invoke(runner, [flag]))
    assert "Usage:" in output
    for name in main.commands:
        assert name in output


def test_the_walk_reaches_nested_subcommands() -> None:
    assert {("db",), ("db", "upgrade"), ("db", "info")} <= set(COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_subcommand_has_help(runner: CliRunner, path: tuple[str, ...]) -> None:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert (command.help or "").strip(), f"pmcockpit {' '.join(path)} has no help text"
    assert command.get_short_help_str().strip()
    output = _ok(_invoke(runner, [*path, "--help"]))
    assert "Usage:" in output
    assert f"pmcockpit {' '.join(path)}" in output


# --- db upgrade / db info ------------------------------------------------------------------


def test_db_upgrade_on_a_fresh_file_then_again(runner: CliRunner, db_file: Path) -> None:
    url = f"sqlite:///{db_file}"
    first = _ok(_invoke(runner, ["--db", url, "db", "upgrade"]))
    assert f"upgraded empty -> {head_revision()}" in first
    assert str(db_file) in first
    second = _ok(_invoke(runner, ["--db", url, "db", "upgrade"]))
    assert f"already at {head_revision()}" in second


def test_db_info_after_upgrade(runner: CliRunner, db_file: Path) -> None:
    url = f"sqlite:///{db_file}"
    _ok(_invoke(runner, ["--db", url, "db", "upgrade"]))
    output = _ok(_invoke(runner, ["--db", url, "db", "info"]))
    assert f"database: {url}" in output
    assert f"schema:   {head_revision()} (this pmcockpit: {head_revision()})" in output


def test_db_info_does_not_create_a_database(runner: CliRunner, db_file: Path) -> None:
    """Looking must not leave an empty database behind at a mistyped path."""
    output = _ok(_invoke(runner, ["--db", f"sqlite:///{db_file}", "db", "info"]))
    assert "empty" in output
    assert sorted(p.name for p in db_file.parent.iterdir() if p.name.startswith("state")) == []


def test_without_db_the_user_data_folder_is_used(runner: CliRunner, isolated_env: Path) -> None:
    expected = isolated_env / "xdg-data" / "pmcockpit" / "pmcockpit.db"
    output = _ok(_invoke(runner, ["db", "upgrade"]))
    assert str(expected) in output
    assert expected.is_file()


def test_pmcockpit_db_variable_selects_the_database(runner: CliRunner, db_file: Path) -> None:
    output = _ok(_invoke(runner, ["db", "upgrade"], env={"PMCOCKPIT_DB": f"sqlite:///{db_file}"}))
    assert str(db_file) in output
    assert db_file.is_file()


def test_db_option_beats_the_variable_and_the_file(
    runner: CliRunner, tmp_path: Path, db_file: Path
) -> None:
    (tmp_path / "config.toml").write_text(f'db = "sqlite:///{tmp_path / "file.db"}"\n')
    env = {"PMCOCKPIT_DB": f"sqlite:///{tmp_path / 'env.db'}"}
    output = _ok(_invoke(runner, ["--db", f"sqlite:///{db_file}", "db", "upgrade"], env=env))
    assert str(db_file) in output
    assert db_file.is_file()
    assert not (tmp_path / "env.db").exists()
    assert not (tmp_path / "file.db").exists()


def test_the_config_file_selects_the_database(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'db = "sqlite:///{tmp_path / "file.db"}"\n')
    _ok(_invoke(runner, ["db", "upgrade"]))
    assert (tmp_path / "file.db").is_file()


@pytest.mark.parametrize("subcommand", ["upgrade", "info"])
def test_db_on_a_garbage_file_fails_cleanly(
    runner: CliRunner, db_file: Path, subcommand: str
) -> None:
    db_file.write_bytes(b"this is a spreadsheet, honest\n" * 200)
    digest = _digest(db_file)
    output = _refused(_invoke(runner, ["--db", f"sqlite:///{db_file}", "db", subcommand]))
    assert "not a pmcockpit database" in output
    assert "left unchanged" in output
    assert _digest(db_file) == digest


def test_db_upgrade_in_a_missing_folder_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    output = _refused(_invoke(runner, ["--db", f"sqlite:///{missing / 'x.db'}", "db", "upgrade"]))
    assert str(missing) in output
    assert "does not exist" in output
    assert not missing.exists()


def test_a_broken_config_file_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("read_only = [\n")
    output = _refused(_invoke(runner, ["db", "info"]))
    assert str(config) in output


# --- settings reach the subcommands --------------------------------------------------------


@click.command("probe-settings")
@pass_cli
def _probe_settings(cli: CliContext) -> None:
    """Print the settings the root command built (test only)."""
    click.echo(json.dumps({"db": cli.settings.db, "read_only": cli.settings.read_only}))


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(main.commands, "probe-settings", _probe_settings)
    return "probe-settings"


def _settings(result: Result) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(_ok(result))
    return loaded


def test_read_only_flag_and_variable(runner: CliRunner, probe: str, tmp_path: Path) -> None:
    assert _settings(_invoke(runner, [probe]))["read_only"] is False
    assert _settings(_invoke(runner, ["--read-only", probe]))["read_only"] is True
    env = {"PMCOCKPIT_READ_ONLY": "1"}
    assert _settings(_invoke(runner, [probe], env=env))["read_only"] is True
    (tmp_path / "config.toml").write_text("read_only = true\n")
    assert _settings(_invoke(runner, [probe]))["read_only"] is True, (
        "not passing --read-only must not switch read-only off"
    )


def test_db_flag_and_variable_reach_the_settings(runner: CliRunner, probe: str) -> None:
    env = {"PMCOCKPIT_DB": "sqlite:///env.db"}
    assert _settings(_invoke(runner, [probe], env=env))["db"] == "sqlite:///env.db"
    flagged = _invoke(runner, ["--db", "sqlite:///flag.db", probe], env=env)
    assert _settings(flagged)["db"] == "sqlite:///flag.db"


# --- the installed program, for real -------------------------------------------------------


def _console_script() -> str:
    script = Path(sys.executable).with_name("pmcockpit")
    assert script.is_file(), f"console script not installed next to {sys.executable}"
    return str(script)


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
        env=dict(os.environ),
    )


def test_installed_console_script_version() -> None:
    done = _run([_console_script(), "--version"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"pmcockpit, version {__version__}"


def test_python_dash_m_help() -> None:
    done = _run([sys.executable, "-m", "pmcockpit", "--help"])
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    assert "db" in done.stdout


def test_installed_console_script_refuses_garbage_without_traceback(db_file: Path) -> None:
    db_file.write_bytes(b"\x00garbage\xff" * 500)
    digest = _digest(db_file)
    done = _run([_console_script(), "--db", f"sqlite:///{db_file}", "db", "upgrade"])
    assert done.returncode == 1
    assert "not a pmcockpit database" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _digest(db_file) == digest
