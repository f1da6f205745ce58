"""``pmcockpit connect``: connections to tools, their tokens (keyring) and their health."""

from __future__ import annotations

import asyncio
import json
import sys

import click

from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pass_cli
from pmcockpit.connectors.registry import CONNECTOR_KINDS
from pmcockpit.connectors.tokens import TokenStore, env_token_name
from pmcockpit.core.i18n import _
from pmcockpit.core.wording import ago
from pmcockpit.services.connection_setup import (
    NewConnection,
    SetupRefused,
    add_connection,
    check_new_connection,
    remove_connection,
    token_from_environment,
)
from pmcockpit.services.health import check_health
from pmcockpit.services.opener import real_workspace
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts


def _health_text(facts: HealthFacts | None) -> str:
    if facts is None:
        return "not checked"
    if not facts.reachable:
        return "DOWN"
    if not facts.authenticated:
        return "AUTH FAILED"
    latency = f" {facts.latency_ms:.0f} ms" if facts.latency_ms is not None else ""
    return ("ok" if facts.is_admin else "ok, no admin rights") + latency


@click.group()
def connect() -> None:
    """Connect pmcockpit to your tools. Tokens go to the OS keyring, never to a file.

    With PMCOCKPIT_TOKEN_<NAME> set (NAME upper-cased, '-' as '_'), that token
    is used instead of the keyring and is never stored.
    """


@connect.command()
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(sorted(CONNECTOR_KINDS)),
              help="Which tool it is.")
@click.option("--url", required=True, help="The tool's base URL, e.g. https://redmine.example.org")
@click.option("--token-stdin", is_flag=True, help="Read the API token from standard input.")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="Tool setting, e.g. email=me@example.org (Jira) or ca_bundle=/path/ca.pem.")
@click.option("--admin-key", is_flag=True,
              help="Also ask for a second secret: Jira's organisation admin API key (needs "
                   "--option admin_org_id=...). With --token-stdin, read from the next line.")
@click.option("--no-test", is_flag=True, help="Record it without trying the token first.")
@pass_cli
def add(cli: CliContext, name: str, kind: str, url: str, token_stdin: bool,
        options: tuple[str, ...], admin_key: bool, no_test: bool) -> None:
    """Add (or replace) the connection NAME and store its API token in the keyring."""
    settings = dict(o.split("=", 1) for o in options if "=" in o)
    db = cli.open_db()
    try:
        check_new_connection(db, name, url)
    except SetupRefused as error:
        click.echo(_("Error: {problem}").format(problem=error), err=True)
        raise SystemExit(EXIT_USAGE) from error
    token = secret_admin_key = ""
    if token_from_environment(name):
        click.echo(f"Using the token from {env_token_name(name)}; nothing is stored.")
    elif token_stdin:
        token = sys.stdin.readline().strip()
    else:
        token = click.prompt(f"API token for {name}", hide_input=True).strip()
    if admin_key:
        secret_admin_key = (sys.stdin.readline() if token_stdin else
                            click.prompt(f"Admin API key for {name}", hide_input=True)).strip()
        if not secret_admin_key:
            raise click.UsageError("the admin API key is empty")
    new = NewConnection(name, kind, url, token, settings, secret_admin_key)
    try:
        added = asyncio.run(add_connection(db, new, test=not no_test))
    except SetupRefused as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(EXIT_USAGE if error.usage else EXIT_FAILED) from error
    if added.account is not None:
        rights = "an administrator" if added.account.is_admin else "NOT an administrator"
        click.echo(f"Token works: it belongs to {added.account.login} ({rights}).")
    click.echo(f"Connection {name} ({kind}) saved. Next: pmcockpit sync {name}")


@connect.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_cli
def list_connections(cli: CliContext, as_json: bool) -> None:
    """List connections: kind, URL, last sync and health."""
    from pmcockpit.core.clock import utcnow

    now = utcnow()
    with cli.open_db().session() as session:
        health = connections.latest_health(session)
        rows = [{
            "name": c.name, "kind": c.kind, "url": c.url,
            "last_sync": c.last_sync_at.isoformat() if c.last_sync_at else None,
            "last_sync_age": ago(c.last_sync_at, now) if c.last_sync_at else "never",
            "last_sync_error": c.last_sync_error,
            "health": _health_text(HealthFacts.of(health[c.name]) if c.name in health else None),
            "token": TokenStore().source(c.name) or "missing",
        } for c in connections.all_connections(session)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No connections yet. Add one: pmcockpit connect add NAME --kind redmine "
                   "--url URL")
    for row in rows:
        click.echo(f"{row['name']:<12} {row['kind']:<8} {row['url']}")
        click.echo(f"{'':<12} synced {row['last_sync_age']}, health: {row['health']}, "
                   f"token: {row['token']}")
        if row["last_sync_error"]:
            click.echo(f"{'':<12} last sync failed: {row['last_sync_error']}")


@connect.command()
@click.argument("name")
@pass_cli
def test(cli: CliContext, name: str) -> None:
    """Check NAME now: reachable, token valid, admin rights, latency, version, TLS expiry."""
    workspace = real_workspace(cli.settings, cli.open_db())
    cli.require_connection(workspace.db, name)
    facts = asyncio.run(check_health(workspace, name))
    click.echo(f"{name}: {_health_text(facts)}")
    if facts.version:
        click.echo(f"  version: {facts.version}")
    if facts.tls_expires_at:
        click.echo(f"  TLS certificate expires {facts.tls_expires_at:%Y-%m-%d}")
    if facts.error:
        click.echo(f"  {facts.error}", err=True)
    if not (facts.reachable and facts.authenticated):
        raise SystemExit(EXIT_FAILED)


@connect.command()
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def remove(cli: CliContext, name: str, yes: bool) -> None:
    """Remove NAME, its synced data and its stored token."""
    db = cli.open_db()
    cli.require_connection(db, name)
    if not yes:
        click.confirm(f"Remove connection {name}, its synced data and its token?", abort=True)
    problem = remove_connection(db, name)
    if problem:
        click.echo(f"The token could not be deleted from the keyring: {problem}", err=True)
    click.echo(f"Connection {name} removed.")
