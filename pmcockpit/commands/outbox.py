"""``pmcockpit outbox``: ticket changes waiting for their tool, and sending them now."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.context import CliContext, pad, pass_cli
from pmcockpit.commands.ticket import report_deliveries
from pmcockpit.core.clock import to_local
from pmcockpit.core.i18n import _, ngettext

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    pass


@click.group(help=_("Ticket changes kept until their tool can be reached."))
def outbox() -> None:
    pass


@outbox.command("list", help=_("What waits (add --all for what was sent or failed too)."))
@click.option("--all", "everything", is_flag=True, help=_("Every item, sent ones too."))
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def list_items(cli: CliContext, everything: bool, as_json: bool) -> None:
    from pmcockpit.storage.queries.tickets import OPEN_OUTBOX_STATES, outbox_items

    db = cli.open_db()
    with db.session() as session:
        items = outbox_items(session, None if everything else (*OPEN_OUTBOX_STATES, "doubt"))
    for item in items:
        if as_json:
            click.echo(json.dumps({"id": item.id, "ticket": item.ticket_key,
                                   "tool": item.connection, "kind": item.kind,
                                   "text": item.text, "state": item.state,
                                   "attempts": item.attempts, "error": item.last_error,
                                   "created_at": item.created_at.isoformat()},
                                  ensure_ascii=False))
            continue
        click.echo(f"[{item.id}] {to_local(item.created_at):%m-%d %H:%M} {pad(item.state, 8)} "
                   f"{pad(item.ticket_key, 14)} {item.kind} {item.text}")
        if item.last_error and item.state != "sent":
            click.echo(f"    {item.last_error}")
    if not items and not as_json:
        click.echo(_("The outbox is empty: every change reached its tool."))


@outbox.command(help=_("Send what waits, oldest first, to every tool that answers."))
@pass_cli
def send(cli: CliContext) -> None:
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.outbox import send_pending

    workspace = real_workspace(cli.settings, cli.open_db())
    done = asyncio.run(send_pending(workspace))
    if not done:
        click.echo(_("Nothing waits in the outbox."))
        return
    sent = sum(1 for d in done if d.delivery == "sent")
    click.echo(ngettext("{count} change sent.", "{count} changes sent.", sent).format(
        count=sent))
    report_deliveries(done)
