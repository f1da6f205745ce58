"""``pmcockpit alert``: where alerts go (Feishu, DingTalk, Slack, a webhook, e-mail) and
what was sent. Webhook URLs, signing secrets and SMTP passwords go to the keyring."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pad, pass_cli
from pmcockpit.core.i18n import _

if TYPE_CHECKING:
    from pmcockpit.services.alerts import Delivery
    from pmcockpit.services.workspace import Workspace

KINDS = ("feishu", "dingtalk", "slack", "webhook", "email")


def _workspace(cli: CliContext) -> Workspace:
    from pmcockpit.services.opener import real_workspace

    return real_workspace(cli.settings, cli.open_db())


def echo_deliveries(deliveries: list[Delivery]) -> None:
    """One line per notifier on standard error: sent, or why not."""
    for delivery in deliveries:
        if delivery.ok:
            click.echo(_("alert sent to {notifier} ({attempts} tries)").format(
                notifier=delivery.notifier, attempts=delivery.attempts), err=True)
        else:
            click.echo(_("alert NOT sent to {notifier} after {attempts} tries: {error}").format(
                notifier=delivery.notifier, attempts=delivery.attempts,
                error=delivery.error), err=True)


@click.group(help=_("Alerts to the team's chat or mailbox when something breaks: a failed "
                    "checklist run, a tool down, a departed employee's account still "
                    "active, a service level breached, an outbox item stuck."))
def alert() -> None:
    pass


def _smtp(value: str | None) -> tuple[str, int]:
    host, _sep, port = (value or "").rpartition(":") if ":" in (value or "") else \
        (value or "", "", "587")
    if not port.isdigit():
        raise click.UsageError(_("--smtp takes HOST or HOST:PORT, not {value!r}").format(
            value=value))
    return host, int(port)


@alert.command(help=_("Add the notifier NAME. Its URL (which holds the platform's token) and "
                      "its secret are kept in the keyring, never in the config or the "
                      "database."))
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(KINDS), help=_("Where it sends."))
@click.option("--url", default="", help=_("The webhook's address (not for e-mail)."))
@click.option("--secret-stdin", is_flag=True,
              help=_("Read the signing secret (e-mail: the SMTP password) from standard "
                     "input."))
@click.option("--to", "to", multiple=True, help=_("E-mail: a recipient (repeat for more)."))
@click.option("--smtp", default=None, metavar="HOST[:PORT]",
              help=_("E-mail: the SMTP server (STARTTLS; port 587 by default)."))
@click.option("--sender", default="", help=_("E-mail: the From address."))
@click.option("--user", "username", default="", help=_("E-mail: the SMTP login."))
@pass_cli
def add(cli: CliContext, name: str, kind: str, url: str, secret_stdin: bool,
        to: tuple[str, ...], smtp: str | None, sender: str, username: str) -> None:
    from pmcockpit.services.alerts import (
        AlertSetupError,
        ConnectorError,
        NotifierExists,
        NotifierSpec,
        add_notifier,
    )

    secret = sys.stdin.readline().strip() if secret_stdin else ""
    host, port = _smtp(smtp) if smtp else ("", 587)
    spec = NotifierSpec(name, kind, url=url.strip(), secret=secret, to=to, smtp_host=host,
                        smtp_port=port, sender=sender, username=username)
    try:
        add_notifier(_workspace(cli), spec)
    except (AlertSetupError, NotifierExists) as error:
        click.echo(_("Error: {problem}").format(problem=error), err=True)
        raise SystemExit(EXIT_USAGE) from error
    except ConnectorError as error:
        click.echo(_("Error: {problem}").format(problem=error), err=True)
        raise SystemExit(EXIT_FAILED) from error
    click.echo(_("Notifier {name} ({kind}) saved. Next: pmcockpit alert test {name}").format(
        name=name, kind=kind))


@alert.command(help=_("Remove the notifier NAME and its secrets in the keyring."))
@click.argument("name")
@pass_cli
def remove(cli: CliContext, name: str) -> None:
    from pmcockpit.services.alerts import AlertSetupError, UnknownNotifier, remove_notifier

    try:
        remove_notifier(_workspace(cli), name)
    except UnknownNotifier as error:
        click.echo(_("Error: no notifier called {name}").format(name=name), err=True)
        raise SystemExit(EXIT_USAGE) from error
    except AlertSetupError as error:
        click.echo(_("Error: {error}").format(error=error), err=True)
        raise SystemExit(EXIT_USAGE) from error
    click.echo(_("Notifier {name} removed.").format(name=name))


@alert.command(help=_("Send a test message to NAME (exit 1 when it does not arrive)."))
@click.argument("name")
@pass_cli
def test(cli: CliContext, name: str) -> None:
    import asyncio

    from pmcockpit.services.alerts import UnknownNotifier, send_test

    try:
        sent = asyncio.run(send_test(_workspace(cli), name))
    except UnknownNotifier as error:
        click.echo(_("Error: no notifier called {name}").format(name=name), err=True)
        raise SystemExit(EXIT_USAGE) from error
    if not sent.ok:
        click.echo(_("{name}: NOT delivered after {attempts} tries: {error}").format(
            name=name, attempts=sent.attempts, error=sent.error), err=True)
        raise SystemExit(EXIT_FAILED)
    click.echo(_("{name}: delivered.").format(name=name))


@alert.command("list", help=_("The notifiers, then the last alerts sent or tried."))
@click.option("--limit", default=20, show_default=True, help=_("How many alerts to show."))
@pass_cli
def list_alerts(cli: CliContext, limit: int) -> None:
    from pmcockpit.services.alerts import declared, list_notifiers, sent_history

    workspace = _workspace(cli)
    notifiers = list_notifiers(workspace)
    in_file = {n.name for n in declared(workspace)}
    if not notifiers:
        click.echo(_("No notifier yet: add one with `pmcockpit alert add NAME --kind ...`."))
    for notifier in notifiers:
        to = ", ".join(notifier.options.get("to", []))
        where = _("(config file)") if notifier.name in in_file else ""
        click.echo(f"{pad(notifier.name, 20)} {pad(notifier.kind, 9)} {to} {where}".rstrip())
    rows = sent_history(workspace, limit)
    if rows:
        click.echo("")
        click.echo(_("Sent:"))
    for row in rows:
        state = _("sent") if row.ok else _("FAILED: {error}").format(error=row.error or "")
        what = row.what or _("(resolved)")
        click.echo(f"  {row.sent_at:%Y-%m-%d %H:%M}  {pad(row.notifier, 16)} {what}  [{state}]")


@alert.command(help=_("Look for standing problems now and alert on what is new (for cron, "
                      "e.g. every 15 minutes). Exit 1 when an alert could not be sent."))
@pass_cli
def check(cli: CliContext) -> None:
    import asyncio

    from pmcockpit.services.alert_triggers import sweep

    deliveries = asyncio.run(sweep(_workspace(cli)))
    echo_deliveries(deliveries)
    if not deliveries:
        click.echo(_("Nothing new to alert on."))
    if any(not d.ok for d in deliveries):
        sys.exit(EXIT_FAILED)


__all__ = ["EXIT_USAGE", "alert", "echo_deliveries"]
