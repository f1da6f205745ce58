"""``pmcockpit --help``, ``--version`` and every subcommand's ``--help`` load no heavy module.

Each check runs the real command line in a fresh interpreter and looks at ``sys.modules``
afterwards (as tests/test_import_hygiene.py does for the floors): a module-scope import
in a command module would pull SQLAlchemy, alembic, httpx, keyring or Textual into the
help, and cost a second or more at every ``--help``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pmcockpit.cli import COMMANDS, main

HEAVY = ("sqlalchemy", "alembic", "httpx", "keyring", "textual")

# Runs in the child: every help path, each followed by a look at what got imported.
_PROBE = """
import contextlib, io, json, sys
from pmcockpit.cli import main

HEAVY = {heavy!r}
found = {{}}
for args in {paths!r}:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main(args, prog_name="pmcockpit")
        except SystemExit as done:
            assert done.code in (0, None), (args, done.code, out.getvalue())
    found[" ".join(args)] = [name for name in HEAVY if name in sys.modules]
    found[" ".join(args) + " (commands loaded)"] = sorted(
        name for name in sys.modules if name.startswith("pmcockpit.commands.")
        and name != "pmcockpit.commands.context")
print(json.dumps(found))
"""


def _help_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    paths = []
    for name in group.commands:
        command = group.commands[name]
        paths.append([*prefix, name, "--help"])
        if isinstance(command, click.Group):
            paths.extend(_help_paths(command, (*prefix, name)))
    return paths


def _probe(paths: list[list[str]], tmp_path: Path) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMCOCKPIT_")}
    env |= {"PMCOCKPIT_CONFIG": str(tmp_path / "config.toml"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY, paths=paths)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


def test_top_level_help_and_version_import_no_command(tmp_path: Path) -> None:
    found = _probe([["--help"], ["-h"], ["--version"]], tmp_path)
    assert found == {key: [] for key in found}


def test_every_subcommand_help_stays_light(tmp_path: Path) -> None:
    paths = _help_paths(main)
    assert ["db", "upgrade", "--help"] in paths and len(paths) > len(COMMANDS)
    found = _probe(paths, tmp_path)
    heavy = {path: modules for path, modules in found.items()
             if modules and "(commands loaded)" not in path}
    assert heavy == {}


def test_a_subcommand_help_loads_only_its_own_module(tmp_path: Path) -> None:
    found = _probe([["sync", "--help"]], tmp_path)
    assert found["sync --help (commands loaded)"] == ["pmcockpit.commands.sync"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_table_names_each_command_as_it_calls_itself(name: str) -> None:
    command = main.commands[name]
    assert command.name == name
    assert COMMANDS[name][1].strip()


def test_the_top_level_help_lists_every_command_with_its_short_help() -> None:
    output = CliRunner().invoke(main, ["--help"], prog_name="pmcockpit").output
    for name, (_where, short_help) in COMMANDS.items():
        assert name in output
        assert short_help.split()[0] in output


def test_the_kinds_in_the_help_are_the_connectors_kinds() -> None:
    from pmcockpit.connectors.registry import CONNECTOR_KINDS
    from pmcockpit.core.capabilities import TOOL_KINDS

    assert tuple(sorted(CONNECTOR_KINDS)) == TOOL_KINDS
