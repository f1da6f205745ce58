"""The ``pmcockpit`` command: the cockpit itself, plus subcommands for scripts and cron."""

from __future__ import annotations

import click

from pmcockpit import __version__
from pmcockpit.commands.context import CliContext, pass_cli
from pmcockpit.config import ConfigError, load_settings
from pmcockpit.core.i18n import _


# Help texts are translated at import: the language is to be chosen before this module
# is imported (see pmcockpit.core.i18n). Click rewraps each paragraph to the terminal.
@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]},
             help=_("pmcockpit: the administrator's cockpit for project-management tools.\n\n"
                    "Without a subcommand, opens the cockpit on your database: daily checklist, "
                    "permission review, support queue and rollout tracker for the connected "
                    "tools. Try `pmcockpit demo` to see every workflow on a simulated "
                    "organisation."))
@click.version_option(__version__, prog_name="pmcockpit")
@click.option("--db", metavar="URL", envvar="PMCOCKPIT_DB",
              help=_("Database URL (any SQLAlchemy URL). Default: SQLite in the user data "
                     "folder."))
@click.option("--read-only", is_flag=True, default=None,
              help=_("Refuse every write to a connected tool."))
@click.pass_context
def main(ctx: click.Context, db: str | None, read_only: bool | None) -> None:
    try:
        settings = load_settings(db=db, read_only=read_only)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    ctx.obj = CliContext(settings)
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_cockpit)


@click.command("open", help=_("Open the cockpit on your database (the default command)."))
@pass_cli
def open_cockpit(cli: CliContext) -> None:
    from pmcockpit.app import run_cockpit

    run_cockpit(cli.settings)


def _register() -> None:
    from pmcockpit.commands import (
        act,
        audit,
        checklist,
        connect,
        demo,
        report,
        review,
        review_apply,
        roster,
        sim,
        sync,
    )
    from pmcockpit.commands import db as db_commands

    for command in (open_cockpit, demo.demo, connect.connect, sync.sync, act.act, act.undo,
                    checklist.checklist, report.report, review.review, audit.audit,
                    db_commands.db, sim.sim, roster.roster, review_apply.sweep):
        main.add_command(command)


_register()
