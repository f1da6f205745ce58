"""``pmcockpit db``: look at, upgrade and copy the database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.core.i18n import _, ngettext

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")


def _with_engine(cli: CliContext, work: Callable[[Engine], T]) -> tuple[str, T]:
    """Run ``work`` on the configured database, turning its refusals into clear errors."""
    from pmcockpit.storage.db import DatabaseError, default_database_url, make_engine

    try:
        engine = make_engine(cli.settings.db or default_database_url())
        try:
            return engine.url.render_as_string(hide_password=True), work(engine)
        finally:
            engine.dispose()
    except DatabaseError as error:
        raise click.ClickException(str(error)) from error


@click.group(help=_("Inspect, upgrade and copy pmcockpit's database."))
def db() -> None:
    pass


@db.command(help=_("Upgrade the database schema to this version of pmcockpit (the app also "
                   "does it at start)."))
@pass_cli
def upgrade(cli: CliContext) -> None:
    from pmcockpit.storage.db import upgrade as upgrade_schema

    where, (before, after) = _with_engine(cli, upgrade_schema)
    if before == after:
        click.echo(_("{database}: already at {revision}").format(database=where, revision=after))
    else:
        click.echo(_("{database}: upgraded {before} -> {after}").format(
            database=where, before=before or _("empty"), after=after))


@db.command(help=_("Show where the database is and its schema version."))
@pass_cli
def info(cli: CliContext) -> None:
    from sqlalchemy.engine import make_url

    from pmcockpit.storage.db import default_database_url, schema_revision

    url = make_url(cli.settings.db or default_database_url())
    if (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            and not Path(url.database).expanduser().exists()):
        click.echo(_("database: {database} (no file yet)").format(
            database=url.render_as_string(hide_password=True)))
        click.echo(_schema_line(None))
        return
    where, current = _with_engine(cli, schema_revision)
    click.echo(_("database: {database}").format(database=where))
    click.echo(_schema_line(current))


def _schema_line(current: str | None) -> str:
    from pmcockpit.storage.db import head_revision

    # Translators: keep the value aligned with the "database:" line above it.
    return _("schema:   {revision} (this pmcockpit: {head})").format(
        revision=current or _("empty"), head=head_revision())


@db.command(help=_("Copy this database into a new, empty one (SQLite to a team's PostgreSQL, "
                   "or back), then check row counts and the audit chain."))
@click.option("--to", "to_url", required=True, metavar="URL",
              help=_("The empty database to copy into, e.g. "
                     "postgresql+psycopg://user@host/pmcockpit."))
@pass_cli
def copy(cli: CliContext, to_url: str) -> None:
    from pmcockpit.services.db_copy import copy_database
    from pmcockpit.storage.db import DatabaseError

    source = cli.open_db()
    try:
        report = copy_database(source, to_url)
    except DatabaseError as error:
        raise click.ClickException(str(error)) from error
    finally:
        source.dispose()
    for table in report.tables:
        if table.source:
            click.echo(f"  {table.table:<28} {table.target:>8}")
    for table in report.mismatched:
        click.echo(_("{table}: {source} rows here, {target} in the copy").format(
            table=table.table, source=table.source, target=table.target), err=True)
    for problem in report.problems:
        click.echo(_("audit: {problem}").format(problem=problem.message), err=True)
    if not report.ok:
        raise click.ClickException(_("the copy in {url} does not match: do not use it").format(
            url=report.target))
    click.echo(ngettext(
        "Copied into {url}: every table's rows counted, the audit log ({count} entry) "
        "verifies. Point --db or PMCOCKPIT_DB at it.",
        "Copied into {url}: every table's rows counted, the audit log ({count} entries) "
        "verifies. Point --db or PMCOCKPIT_DB at it.",
        report.audit_entries).format(url=report.target, count=report.audit_entries))
