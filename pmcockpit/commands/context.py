"""What every subcommand shares: the settings and a way to open the database."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click
from rich.cells import cell_len

if TYPE_CHECKING:  # the database is imported by the commands that open it, not by --help
    from datetime import timedelta

    from pmcockpit.config import Settings
    from pmcockpit.storage.db import Database

# Exit codes scripts can rely on: 0 done, 1 the tool refused or failed, 2 usage.
EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass
class CliContext:
    settings: Settings
    write_for: tuple[timedelta, str] | None = None
    """``--write-for`` and ``--reason``: how long the cockpit opens with write mode
    armed, and why."""

    def open_db(self, *, migrate: bool = True) -> Database:
        from pmcockpit.storage.db import DatabaseError, open_database

        try:
            return open_database(self.settings.db, migrate=migrate)
        except DatabaseError as error:
            raise click.ClickException(str(error)) from error

    def require_connection(self, db: Database, name: str) -> None:
        """Stop with a clear message when no connection is called ``name``."""
        from pmcockpit.storage import connections

        with db.session() as session:
            try:
                connections.get(session, name)
            except connections.UnknownConnection as error:
                raise click.ClickException(str(error)) from error


pass_cli = click.make_pass_decorator(CliContext)


def database_failure(error: BaseException) -> str | None:
    """What to tell the user when ``error`` is the database failing (a server that went
    away, a refused database); None for anything else. Imports nothing new."""
    db_module = sys.modules.get("pmcockpit.storage.db")
    if db_module is not None and isinstance(error, db_module.DatabaseError):
        return str(error)
    exc_module = sys.modules.get("sqlalchemy.exc")
    if exc_module is not None and isinstance(error, exc_module.OperationalError):
        from pmcockpit.core.i18n import _

        detail = str(error.orig).strip().splitlines()
        return _("the database failed ({error}): nothing of this step was saved; try "
                 "again").format(error=detail[0] if detail else type(error.orig).__name__)
    return None


def pad(text: str, width: int) -> str:
    """``text`` filled with spaces to ``width`` terminal cells (a Chinese character takes two),
    for columns that stay aligned in any language."""
    return text + " " * max(0, width - cell_len(text))
