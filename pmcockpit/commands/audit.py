"""``pmcockpit audit``: read and verify the audit log of actions taken."""

from __future__ import annotations

import json

import click

from pmcockpit.commands.context import EXIT_FAILED, CliContext, pass_cli


@click.group()
def audit() -> None:
    """The append-only log of every action pmcockpit took in a connected tool."""


@audit.command("list")
@click.option("--limit", default=50, show_default=True, help="How many entries, newest first.")
@click.option("--connection", default=None, help="Only this connection's entries.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_cli
def list_entries(cli: CliContext, limit: int, connection: str | None, as_json: bool) -> None:
    """List the newest actions: when, who, where, what, why, and the outcome."""
    from pmcockpit.storage import audit as audit_log

    with cli.open_db().session() as session:
        entries = audit_log.entries(session, limit=limit, connection=connection)
        if not entries and not as_json:
            click.echo("No actions recorded yet.")
        for entry in entries:
            if as_json:
                click.echo(json.dumps({
                    "id": entry.id, "at": entry.at.isoformat(), "operator": entry.operator,
                    "connection": entry.connection_name, "action": entry.action,
                    "target": entry.target, "reason": entry.reason, "status": entry.status,
                    "error": entry.error, "undo_of": entry.undo_of,
                }, ensure_ascii=False))
                continue
            undo = f" (undoes {entry.undo_of})" if entry.undo_of else ""
            click.echo(f"{entry.id:>5}  {entry.at:%Y-%m-%d %H:%M}  {entry.operator:<10} "
                       f"{entry.connection_name:<8} {entry.action:<20} {entry.status:<9} "
                       f"{entry.target}{undo}")
            if entry.reason:
                click.echo(f"       why: {entry.reason}")
            if entry.error:
                click.echo(f"       error: {entry.error}")


@audit.command()
@pass_cli
def verify(cli: CliContext) -> None:
    """Check the hash chain: any edited or deleted entry is reported (exit 1)."""
    from pmcockpit.storage import audit as audit_log

    with cli.open_db().session() as session:
        problems = audit_log.verify(session)
        count = len(audit_log.entries(session, limit=1))
    if problems:
        for problem in problems:
            click.echo(f"BROKEN: {problem.message}", err=True)
        raise SystemExit(EXIT_FAILED)
    click.echo("Audit log intact." if count else "Audit log intact (no entries yet).")
