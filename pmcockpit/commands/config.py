"""``pmcockpit config path|show``: where the config file is, and the settings in effect."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import click

from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.core.i18n import _


@click.group(help=_("The config file: where it is, and the settings in effect.\n\n"
                    "Example:\n\n    pmcockpit config path"))
def config() -> None:
    pass


@config.command(help=_("Print the config file's path (PMCOCKPIT_CONFIG moves it)."))
def path() -> None:
    from pmcockpit.config import config_path

    click.echo(str(config_path()))


def _toml(value: Any) -> str:
    """One value as TOML writes it (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@config.command(help=_("Print the settings in effect (file, PMCOCKPIT_* variables and "
                       "options), as the config file would hold them."))
@pass_cli
def show(cli: CliContext) -> None:
    from pmcockpit.config import config_path

    where = config_path()
    state = _("exists") if where.exists() else _("not created yet: every setting is a default")
    click.echo(_("# {path} ({state})").format(path=where, state=state))
    from pmcockpit.storage.db import default_database_url

    defaults = {"db": default_database_url(), "templates_dir": str(cli.settings.checklist_dir)}
    for field in fields(cli.settings):
        value = getattr(cli.settings, field.name)
        if value is None:
            click.echo(_("# {name} = {value} (the default)").format(
                name=field.name, value=_toml(defaults.get(field.name, ""))))
        else:
            click.echo(f"{field.name} = {_toml(value)}")
