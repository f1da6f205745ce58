"""``pmcockpit db``: look at and upgrade the database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.storage.db import (
    DatabaseError,
    default_database_url,
    head_revision,
    make_engine,
    schema_revision,
)
from pmcockpit.storage.db import upgrade as upgrade_schema

T = TypeVar("T")


def _with_engine(cli: CliContext, work: Callable[[Engine], T]) -> tuple[str, T]:
    """Run ``work`` on the configured database, turning its refusals into clear errors."""
    try:
        engine = make_engine(cli.settings.db or default_database_url())
        try:
            return engine.url.render_as_string(hide_password=True), work(engine)
        finally:
            engine.dispose()
    except DatabaseError as error:
        raise click.ClickException(str(error)) from error


@click.group()
def db() -> None:
    """Inspect and upgrade pmcockpit's database."""


@db.command()
@pass_cli
def upgrade(cli: CliContext) -> None:
    """Upgrade the database schema to this version of pmcockpit (the app also does it at start)."""
    where, (before, after) = _with_engine(cli, upgrade_schema)
    if before == after:
        click.echo(f"{where}: already at {after}")
    else:
        click.echo(f"{where}: upgraded {before or 'empty'} -> {after}")


@db.command()
@pass_cli
def info(cli: CliContext) -> None:
    """Show where the database is and its schema version."""
    url = make_url(cli.settings.db or default_database_url())
    if (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            and not Path(url.database).expanduser().exists()):
        click.echo(f"database: {url.render_as_string(hide_password=True)} (no file yet)")
        click.echo(f"schema:   empty (this pmcockpit: {head_revision()})")
        return
    where, current = _with_engine(cli, schema_revision)
    click.echo(f"database: {where}")
    click.echo(f"schema:   {current or 'empty'} (this pmcockpit: {head_revision()})")
