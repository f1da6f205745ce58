"""``pmcockpit report``: reports written from pmcockpit's own records."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pmcockpit.commands.context import EXIT_USAGE, CliContext, pass_cli
from pmcockpit.core.i18n import _


@click.group(help=_("Reports for the people the tools serve."))
def report() -> None:
    pass


@report.command(help=_("The monthly operations bulletin as Markdown: checklist "
                       "completion and on-time rate, failures and what was done, each tool's "
                       "availability, access changes made, and tickets opened and resolved."))
@click.option("--month", metavar="YYYY-MM", default=None,
              help=_("Which month (default: the current one, so far)."))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_("Write the Markdown to this file instead of printing it."))
@pass_cli
def monthly(cli: CliContext, month: str | None, output: Path | None) -> None:
    from pmcockpit.services.checklist import local_now
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.report import monthly_bulletin, parse_month

    now = local_now()
    try:
        first_day = parse_month(month) if month else now.date().replace(day=1)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--month") from error
    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        text = monthly_bulletin(workspace, first_day, now)
    except ValueError as error:
        click.echo(_("Error: {message}").format(message=error), err=True)
        sys.exit(EXIT_USAGE)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.FileError(str(output), hint=error.strerror or str(error)) from error
    click.echo(_("Wrote the bulletin for {month} to {file}").format(month=f"{first_day:%Y-%m}",
                                                                    file=output))
