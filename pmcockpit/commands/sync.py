"""``pmcockpit sync``: pull the connected tools' state into the database."""

from __future__ import annotations

import asyncio
import json

import click

from pmcockpit.commands.context import EXIT_FAILED, CliContext, pass_cli
from pmcockpit.services.opener import real_workspace
from pmcockpit.services.sync import sync_all


@click.command()
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="Only print failures.")
@pass_cli
def sync(cli: CliContext, names: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Sync users, groups, projects, memberships and tickets of NAMES (default: all).

    Each connection is written in one transaction: a sync that fails leaves the
    previous state whole. Exit status 1 when any connection failed.
    """
    db = cli.open_db()
    for name in names:
        cli.require_connection(db, name)
    workspace = real_workspace(cli.settings, db)

    def progress(name: str, what: str) -> None:
        if not (as_json or quiet):
            click.echo(f"{name}: {what}…", err=True)

    reports = asyncio.run(sync_all(workspace, list(names) or None, progress=progress))
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        if not reports:
            click.echo("No connections to sync. Add one with `pmcockpit connect add`.")
        for report in reports:
            if report.ok:
                if not quiet:
                    counts = ", ".join(f"{n} {what}" for what, n in report.counts.items())
                    click.echo(f"{report.connection}: synced in {report.seconds:.1f}s: {counts}")
            else:
                click.echo(f"{report.connection}: FAILED: {report.error} "
                           "(the previous state is kept)", err=True)
    if any(not r.ok for r in reports):
        raise SystemExit(EXIT_FAILED)
