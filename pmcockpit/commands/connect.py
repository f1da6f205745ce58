"""``pmcockpit connect``: connections to tools, their tokens (keyring) and their health."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pass_cli
from pmcockpit.core.capabilities import TOOL_KINDS
from pmcockpit.core.i18n import _
from pmcockpit.core.wording import ago

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.connection_offers import Offers
    from pmcockpit.storage.queries.connections import HealthFacts


def _health_text(facts: HealthFacts | None) -> str:
    if facts is None:
        return _("not checked")
    if not facts.reachable:
        return _("DOWN")
    if not facts.authenticated:
        return _("AUTH FAILED")
    if facts.latency_ms is None:
        return _("ok") if facts.is_admin else _("ok, no admin rights")
    text = _("ok {ms:.0f} ms") if facts.is_admin else _("ok, no admin rights {ms:.0f} ms")
    return text.format(ms=facts.latency_ms)


@click.group(help=_(
    "Connect pmcockpit to your tools. Tokens go to the OS keyring, never to a file.\n\n"
    "A connection's NAME is 1 to 32 letters, digits, '-' or '_', not starting with '-'. "
    "With PMCOCKPIT_TOKEN_<NAME> set (NAME upper-cased, '-' as '_'), that token is used "
    "instead of the keyring and is never stored; two names that would share that "
    "variable are refused. With the encrypted file keyring (keyrings.cryptfile), its "
    "password comes from KEYRING_CRYPTFILE_PASSWORD or the terminal, never from "
    "standard input."))
def connect() -> None:
    pass


@connect.command(help=_("Add (or replace) the connection NAME and store its API token in the "
                        "keyring. The URL carries no credential: the token is given as a "
                        "token."))
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(TOOL_KINDS), help=_("Which tool it is."))
@click.option("--url", required=True,
              help=_("The tool's base URL, e.g. https://redmine.example.org"))
@click.option("--token-stdin", is_flag=True, help=_("Read the API token from standard input."))
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help=_("Tool setting, e.g. email=me@example.org (Jira) or "
                     "ca_bundle=/path/ca.pem."))
@click.option("--admin-key", is_flag=True,
              help=_("Also ask for a second secret: Jira's organisation admin API key (needs "
                     "--option admin_org_id=...). With --token-stdin, read from the next "
                     "line."))
@click.option("--no-test", is_flag=True, help=_("Record it without trying the token first."))
@pass_cli
def add(cli: CliContext, name: str, kind: str, url: str, token_stdin: bool,
        options: tuple[str, ...], admin_key: bool, no_test: bool) -> None:
    import asyncio

    from pmcockpit.services.connection_setup import (
        NewConnection,
        SetupRefused,
        add_connection,
        check_new_connection,
    )

    settings = dict(o.split("=", 1) for o in options if "=" in o)
    db = cli.open_db()
    try:
        check_new_connection(db, name, url)
    except SetupRefused as error:
        click.echo(_("Error: {problem}").format(problem=error), err=True)
        raise SystemExit(EXIT_USAGE) from error
    if not no_test:  # before the token is asked for: a wrong address is said at once
        from pmcockpit.services.url_probe import url_problem

        problem = url_problem(url, settings.get("ca_bundle"))
        if problem is not None:
            click.echo(_("Error: {problem}").format(problem=problem), err=True)
            raise SystemExit(EXIT_FAILED)
    token, secret_admin_key = _read_token(name, token_stdin), ""
    if admin_key:
        secret_admin_key = (sys.stdin.readline() if token_stdin else click.prompt(
            _("Admin API key for {name}").format(name=name), hide_input=True)).strip()
        if not secret_admin_key:
            raise click.UsageError(_("the admin API key is empty"))
    new = NewConnection(name, kind, url, token, settings, secret_admin_key)
    try:
        added = asyncio.run(add_connection(db, new, test=not no_test))
    except SetupRefused as error:
        click.echo(_("Error: {problem}").format(problem=error), err=True)
        raise SystemExit(EXIT_USAGE if error.usage else EXIT_FAILED) from error
    if added.account is not None:
        works = (_("Token works: it belongs to {login} (an administrator).")
                 if added.account.is_admin else
                 _("Token works: it belongs to {login} (NOT an administrator)."))
        click.echo(works.format(login=added.account.login))
    click.echo(_("Connection {name} ({kind}) saved. Next: pmcockpit sync {name}").format(
        name=name, kind=kind))


def _read_token(name: str, token_stdin: bool) -> str:
    """The token: "" when the environment gives it, else from stdin or the terminal."""
    from pmcockpit.services.connection_setup import token_from_environment, token_variable

    if token_from_environment(name):
        click.echo(_("Using the token from {variable}; nothing is stored.").format(
            variable=token_variable(name)))
        return ""
    if token_stdin:
        return sys.stdin.readline().strip()
    if not sys.stdin.isatty():
        click.echo(_("Error: standard input is not a terminal, so the token cannot be asked "
                     "for: pipe it in with --token-stdin, or set {variable}").format(
            variable=token_variable(name)), err=True)
        raise SystemExit(EXIT_USAGE)
    return str(click.prompt(_("API token for {name}").format(name=name),
                            hide_input=True)).strip()


@connect.command("list", help=_("List connections: kind, URL, last sync and health."))
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def list_connections(cli: CliContext, as_json: bool) -> None:
    from pmcockpit.core.clock import utcnow
    from pmcockpit.services.connection_setup import overview

    now = utcnow()
    rows = [{
        "name": c.name, "kind": c.kind, "url": c.url,
        "last_sync": c.last_sync_at.isoformat() if c.last_sync_at else None,
        "last_sync_age": ago(c.last_sync_at, now) if c.last_sync_at else _("never"),
        "last_sync_error": c.last_sync_error,
        "health": _health_text(c.health),
        "token": c.token,
    } for c in overview(cli.open_db())]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("No connections yet. Add one: pmcockpit connect add NAME --kind redmine "
                     "--url URL"))
    for row in rows:
        click.echo(f"{row['name']:<12} {row['kind']:<8} {row['url']}")
        click.echo(_("{indent} synced {age}, health: {health}, token: {token}").format(
            indent=" " * 12, age=row["last_sync_age"], health=row["health"],
            token=row["token"]))
        if row["last_sync_error"]:
            click.echo(_("{indent} last sync failed: {error}").format(
                indent=" " * 12, error=row["last_sync_error"]))


@connect.command(help=_("Check NAME now: reachable, token valid, admin rights, latency, "
                        "version, TLS expiry, and which actions it offers."))
@click.argument("name")
@pass_cli
def test(cli: CliContext, name: str) -> None:
    import asyncio

    from pmcockpit.services.connection_offers import connection_offers
    from pmcockpit.services.health import check_health
    from pmcockpit.services.opener import real_workspace

    workspace = real_workspace(cli.settings, cli.open_db())
    cli.require_connection(workspace.db, name)
    facts = asyncio.run(check_health(workspace, name))
    click.echo(f"{name}: {_health_text(facts)}")
    if facts.version:
        click.echo(_("  version: {version}").format(version=facts.version))
    if facts.tls_expires_at:
        click.echo(_("  TLS certificate expires {date}").format(
            date=f"{facts.tls_expires_at:%Y-%m-%d}"))
    if facts.error:
        click.echo(f"  {facts.error}", err=True)
    if not (facts.reachable and facts.authenticated):
        raise SystemExit(EXIT_FAILED)
    _echo_offers(asyncio.run(connection_offers(workspace, name)))


def _echo_offers(offers: Offers) -> None:
    if offers.problem:
        click.echo(f"  {offers.problem}", err=True)
    if offers.offered:
        click.echo(_("  offers: {kinds}").format(
            kinds=", ".join(offer.kind.value for offer in offers.offered)))
    for offer in offers.refused:
        click.echo(_("  not offered: {kind}: {reason}").format(kind=offer.kind.value,
                                                               reason=offer.refusal))


@connect.command(help=_("Remove NAME, its synced data and its stored token."))
@click.argument("name")
@click.option("--yes", is_flag=True, help=_("Do not ask for confirmation."))
@pass_cli
def remove(cli: CliContext, name: str, yes: bool) -> None:
    from pmcockpit.services.connection_setup import remove_connection

    db = cli.open_db()
    cli.require_connection(db, name)
    if not yes:
        click.confirm(_("Remove connection {name}, its synced data and its token?").format(
            name=name), abort=True)
    problem = remove_connection(db, name)
    if problem:
        click.echo(_("The token could not be deleted from the keyring: {problem}").format(
            problem=problem), err=True)
    click.echo(_("Connection {name} removed.").format(name=name))


@connect.command("set", help=_("Set an option of NAME: what forms its support queue "
                              "(queue.project, queue.tracker, queue.query_id for Redmine; "
                              "queue.jql for Jira; queue.project, queue.labels for GitLab; "
                              "queue.kinds for ZenTao, e.g. bugs,stories,tasks; "
                              "queue.resolve_status). An empty VALUE clears it."))
@click.argument("name")
@click.argument("key")
@click.argument("value")
@pass_cli
def set_option(cli: CliContext, name: str, key: str, value: str) -> None:
    from pmcockpit.services.connection_setup import SetupRefused, set_queue_option

    db = cli.open_db()
    cli.require_connection(db, name)
    try:
        set_queue_option(db, name, key, value)
    except SetupRefused as error:
        raise click.UsageError(str(error)) from error
    click.echo(_("{name}: {key} = {value!r}; the next sync reads the queue so.").format(
        name=name, key=key, value=value))
