"""``pmcockpit audit``: read, verify, checkpoint and reconcile the log of actions taken."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.audit_key import key
from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pass_cli
from pmcockpit.core.i18n import _, ngettext

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services import audit_log
    from pmcockpit.services.reconcile import Reconciled
    from pmcockpit.services.workspace import Workspace
    from pmcockpit.storage.queries.audit import EntryRow


@click.group(help=_("The append-only log of every action pmcockpit took in a connected tool."))
def audit() -> None:
    pass


audit.add_command(key)


def _line(row: EntryRow) -> list[str]:
    from pmcockpit.storage.queries.audit import escape_controls

    status = _("IN DOUBT") if row.in_doubt else row.status
    undo = _(" (undoes {id})").format(id=row.undo_of) if row.undo_of else ""
    of = _(" (outcome of {id})").format(id=row.intent_id) if row.intent_id else ""
    lines = [f"{row.id:>5}  {row.at:%Y-%m-%d %H:%M}  {escape_controls(row.operator):<10} "
             f"{escape_controls(row.connection):<8} {escape_controls(row.action):<20} "
             f"{status:<9} {escape_controls(row.target)}{undo}{of}"]
    if row.reason:
        lines.append(_("       why: {reason}").format(reason=escape_controls(row.reason)))
    if row.error:
        lines.append(_("       error: {error}").format(error=escape_controls(row.error)))
    return lines


@audit.command("list", help=_(
    "List the newest actions: when, who, where, what, why, and the outcome.\n"
    "\n"
    "An action is logged twice: its intent, before the tool is called, and its outcome.\n"
    "An intent with no outcome is IN DOUBT: settle it with `pmcockpit audit reconcile`."))
@click.option("--limit", default=50, show_default=True, help=_("How many entries, newest first."))
@click.option("--connection", default=None, help=_("Only this connection's entries."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per line."))
@pass_cli
def list_entries(cli: CliContext, limit: int, connection: str | None, as_json: bool) -> None:
    from pmcockpit.storage.queries import audit as audit_reads

    with cli.open_db().session() as session:
        rows = audit_reads.page(session, limit=limit, connection=connection).rows
    if not rows and not as_json:
        click.echo(_("No actions recorded yet."))
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.as_json(), ensure_ascii=True))
            continue
        for line in _line(row):
            click.echo(line)


def _say_verification(result: audit_log.Verification) -> None:
    click.echo(_("Chain key: {source}.").format(source=result.key_source))
    if result.legacy:
        click.echo(ngettext("{n} older entry is legacy, unkeyed: a database writer could "
                            "have rewritten it.",
                            "{n} older entries are legacy, unkeyed: a database writer could "
                            "have rewritten them.", result.legacy).format(n=result.legacy))
    if result.checkpoint is not None:
        click.echo(_("The checkpoint holds: nothing up to entry {id} changed since.").format(
            id=result.checkpoint))
    if result.in_doubt:
        ids = ", ".join(str(i) for i in result.in_doubt)
        click.echo(ngettext("{n} action in doubt (entry {ids}): run `pmcockpit audit "
                            "reconcile`.",
                            "{n} actions in doubt (entries {ids}): run `pmcockpit audit "
                            "reconcile`.", len(result.in_doubt)).format(
                                n=len(result.in_doubt), ids=ids))


@audit.command(help=_(
    "Check the keyed chain, the head kept beside the database and, if given, a\n"
    "checkpoint: any edited, inserted, reordered or deleted entry is reported (exit 1)."))
@click.option("--checkpoint", "checkpoint_file", type=click.Path(path_type=Path,
              dir_okay=False), help=_("A checkpoint from `audit checkpoint`: prove nothing "
                     "up to it changed."))
@pass_cli
def verify(cli: CliContext, checkpoint_file: Path | None) -> None:
    from pmcockpit.services import audit_log
    from pmcockpit.services.opener import real_workspace

    workspace = real_workspace(cli.settings, cli.open_db())
    try:
        text = checkpoint_file.read_text(encoding="utf-8") if checkpoint_file else None
        result = audit_log.verify(workspace, text)
    except (OSError, UnicodeDecodeError, audit_log.CheckpointError) as error:
        click.echo(_("Error: cannot use the checkpoint: {error}").format(error=error),
                   err=True)
        raise SystemExit(EXIT_USAGE) from None
    _say_verification(result)
    if not result.intact:
        for problem in result.problems:
            click.echo(_("BROKEN: {problem}").format(problem=problem.message), err=True)
        raise SystemExit(EXIT_FAILED)
    if result.entries:
        click.echo(ngettext("Audit log intact ({n} entry).", "Audit log intact ({n} entries).",
                            result.entries).format(n=result.entries))
    else:
        click.echo(_("Audit log intact (no entries yet)."))


@audit.command(help=_("Print the log's head signed with this installation's key. Keep it "
                      "elsewhere; later `pmcockpit audit verify --checkpoint FILE` proves "
                      "nothing up to it changed."))
@pass_cli
def checkpoint(cli: CliContext) -> None:
    from pmcockpit.services import audit_log
    from pmcockpit.services.opener import real_workspace

    click.echo(audit_log.checkpoint(real_workspace(cli.settings, cli.open_db())))


def say_reconciled(done: list[Reconciled]) -> None:
    for item in done:
        if item.outcome_id is None:
            click.echo(_("{action} (entry {intent}): {note}").format(
                action=item.action, intent=item.intent_id, note=item.note), err=True)
            continue
        click.echo(_("[{outcome}] reconciled {action} (entry {intent}): {note}").format(
            outcome=item.outcome_id, action=item.action, intent=item.intent_id,
            note=item.note))


def reconcile_now(workspace: Workspace) -> list[Reconciled]:
    """Settle actions in doubt before acting again; a tool out of reach is said, not fatal."""
    from pmcockpit.services.actions import ConnectorError
    from pmcockpit.services.reconcile import reconcile

    try:
        return asyncio.run(reconcile(workspace))
    except ConnectorError as error:
        click.echo(_("Could not reconcile the actions in doubt: {error}").format(error=error),
                   err=True)
        return []


@audit.command("reconcile", help=_("Read back from the tools every action in doubt (logged "
                                   "as intended, with no outcome) and record what actually "
                                   "happened."))
@pass_cli
def reconcile_command(cli: CliContext) -> None:
    from pmcockpit.services.opener import real_workspace

    done = reconcile_now(real_workspace(cli.settings, cli.open_db()))
    if not done:
        click.echo(_("No action in doubt."))
    say_reconciled(done)
