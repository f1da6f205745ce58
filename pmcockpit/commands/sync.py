"""``pmcockpit sync``: pull the connected tools' state into the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.context import EXIT_FAILED, CliContext, pass_cli
from pmcockpit.core.i18n import _, ngettext

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.sync import SyncReport


@click.command(help=_(
    "Sync users, groups, projects, memberships and tickets of NAMES (default: all).\n\n"
    "Each connection is written in one transaction, and only after every page read "
    "from the tool has been checked: a sync that fails, reads an answer it cannot "
    "trust, or would remove more accounts at once than the max_account_drop setting "
    "allows (30% by default) leaves the previous state whole. Exit status 1 when any "
    "connection failed.\n\n"
    "Between full syncs only the tickets changed since the last sync are read; a full "
    "sync, which also finds deleted tickets, runs when the connection's full_sync_hours "
    "option (24 by default) has passed, when its options changed, or with --full.\n\n"
    "Project and group memberships have no change marker, so between full syncs they "
    "are read again only once the connection's membership_hours option (default: its "
    "full_sync_hours) has passed, after pmcockpit changed members, or with "
    "--memberships; the summary says how old the stored ones are."))
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help=_("Print the summary as JSON."))
@click.option("--quiet", is_flag=True, help=_("Only print failures."))
@click.option("--accept-drop", is_flag=True,
              help=_("Store the sync even if it removes more accounts than max_account_drop "
                     "allows (when they really left)."))
@click.option("--full", is_flag=True,
              help=_("Read every ticket, finding those deleted on the tool, even when only "
                     "the changed ones are due."))
@click.option("--memberships", is_flag=True,
              help=_("Read every project's and group's members now, even when the stored "
                     "ones are recent enough for membership_hours."))
@pass_cli
def sync(cli: CliContext, names: tuple[str, ...], as_json: bool, quiet: bool,
         accept_drop: bool, full: bool, memberships: bool) -> None:
    import asyncio  # here, not at the top: `sync --help` stays light

    from pmcockpit.commands.alert import echo_deliveries
    from pmcockpit.services import alert_triggers
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.queue import after_sync
    from pmcockpit.services.sync import sync_all

    db = cli.open_db()
    for name in names:
        cli.require_connection(db, name)
    workspace = real_workspace(cli.settings, db)

    def progress(name: str, what: str) -> None:
        if not (as_json or quiet):
            click.echo(_("{name}: {what}…").format(name=name, what=what), err=True)

    reports = asyncio.run(sync_all(workspace, list(names) or None, progress=progress,
                                   accept_drop=accept_drop, full=full,
                                   memberships=memberships))
    synced = [r.connection for r in reports if r.ok]
    sent = asyncio.run(after_sync(workspace, synced)) if synced else []
    echo_deliveries(asyncio.run(alert_triggers.after_sync(workspace, reports)))
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        if not reports:
            click.echo(_("No connections to sync. Add one with `pmcockpit connect add`."))
        for report in reports:
            _echo_report(report, quiet)
        if sent and not quiet:
            click.echo(ngettext("Outbox: {count} waiting change handled.",
                                "Outbox: {count} waiting changes handled.", len(sent)).format(
                count=len(sent)))
    if any(not r.ok for r in reports):
        raise SystemExit(EXIT_FAILED)


_COUNTED: dict[str, Callable[[int], str]] = {
    "accounts": lambda n: ngettext("{count} account", "{count} accounts", n),
    "groups": lambda n: ngettext("{count} group", "{count} groups", n),
    "roles": lambda n: ngettext("{count} role", "{count} roles", n),
    "projects": lambda n: ngettext("{count} project", "{count} projects", n),
    "memberships": lambda n: ngettext("{count} membership", "{count} memberships", n),
    "tickets": lambda n: ngettext("{count} ticket", "{count} tickets", n),
    "changed_tickets": lambda n: ngettext("{count} changed ticket read",
                                          "{count} changed tickets read", n),
}
"""What a sync counted (``SnapshotCounts.as_dict``), each as its own plural."""


def _echo_report(report: SyncReport, quiet: bool) -> None:
    if not report.ok:
        click.echo(_("{name}: FAILED: {error} (the previous state is kept)").format(
            name=report.connection, error=report.error), err=True)
    elif not quiet:
        # Translators: joins the counts of a sync, "12 accounts, 3 groups".
        counts = _(", ").join(_COUNTED[what](n).format(count=n)
                              for what, n in report.counts.items())
        click.echo(_("{name}: synced in {seconds:.1f}s: {counts}").format(
            name=report.connection, seconds=report.seconds, counts=counts))
        if not report.memberships and report.memberships_as_of is not None:
            click.echo(_("{name}: memberships as of {time} (they have no change marker; "
                         "--memberships reads them now)").format(
                name=report.connection,
                time=report.memberships_as_of.strftime("%Y-%m-%d %H:%M UTC")))
