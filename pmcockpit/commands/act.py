"""``pmcockpit act`` and ``pmcockpit undo``: every remote action as a command."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.audit import reconcile_now, say_reconciled
from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pass_cli
from pmcockpit.core.actions import SPECS, Action, ActionKind, title_for
from pmcockpit.core.i18n import _

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.actions import ActionResult
    from pmcockpit.services.workspace import Workspace


def _print_result(result: ActionResult, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    verdict = {"succeeded": _("done"), "failed": _("FAILED"),
               "refused": _("REFUSED")}[result.outcome]
    click.echo(_("[{id}] {verdict}: {action}").format(
        id=result.audit_id, verdict=verdict, action=result.action.describe()))
    if result.error:
        click.echo(f"  {result.error}", err=True)


def _confirm(action: Action, yes: bool) -> bool:
    if not action.destructive or yes:
        return True
    if not sys.stdin.isatty():
        raise click.UsageError(_("{title} is destructive: confirm with --yes when not running "
                                 "at a terminal").format(title=action.title.lower()))
    return click.confirm(_("{action}\nReason: {reason}\nGo ahead?").format(
        action=action.describe(), reason=action.reason), default=False)


async def _list_actions(workspace: Workspace) -> None:
    from pmcockpit.services.actions import ConnectorError
    from pmcockpit.storage import connections

    with workspace.db.session() as session:
        rows = [(c.name, c.kind) for c in connections.all_connections(session)]
    if not rows:
        click.echo(_("No connections yet: add one with `pmcockpit connect add`."))
    for name, kind in rows:
        click.echo(f"{name} ({kind}):")
        try:
            connector = workspace.open_connector(name)
        except Exception as error:  # a missing token must not hide the other connections
            click.echo(_("  cannot open: {error}").format(error=error))
            continue
        try:
            await connector.current_account()  # capabilities can depend on whose token it is
        except ConnectorError as error:
            click.echo(_("  cannot reach it, so this list may offer too much: {error}").format(
                error=error))
        finally:
            await connector.aclose()
        capabilities = connector.capabilities()
        for action_kind, spec in SPECS.items():
            if spec.capability in capabilities:
                click.echo(_("  {kind} {title} (target: {target})").format(
                    kind=f"{action_kind.value:<22}", title=title_for(action_kind, kind),
                    target=spec.target))
            else:
                reason = connector.unsupported_reason(spec.capability) or _("not supported")
                click.echo(_("  {kind} not offered: {reason}").format(
                    kind=f"{action_kind.value:<22}", reason=reason))


@click.command(context_settings={"ignore_unknown_options": False}, help=_(
    "Run ACTION on each TARGET in CONNECTION, through the audited action path.\n"
    "\n"
    "\b\n"
    "Examples:\n"
    '  pmcockpit act rm lock-user jsmith --reason "left 2026-10-31"\n'
    '  pmcockpit act rm add-comment 1234 --param body="Fixed, please retry"\n'
    '  pmcockpit act rm remove-membership 57 --reason "left the team" --dry-run\n'
    "  pmcockpit act --list\n"
    "\n"
    "TARGET is a login (users), a ticket number, a group or project name, or the\n"
    "tool's id; ACTION one of those `act --list` names. Exit status: 0 done,\n"
    "1 the tool or pmcockpit refused or failed, 2 usage error."))
@click.argument("connection", required=False)
# A plain argument: a Choice would list every action in each usage error.
@click.argument("action", required=False)
@click.argument("targets", nargs=-1)
@click.option("--reason", default="", help=_("Why (required for destructive actions)."))
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help=_("An action parameter, e.g. --param body='Fixed in 5.1' or role_ids=3,4."))
@click.option("--dry-run", is_flag=True, help=_("Print the calls it would make; change nothing."))
@click.option("--yes", is_flag=True, help=_("Skip the confirmation prompt."))
@click.option("--json", "as_json", is_flag=True, help=_("Print one JSON object per target."))
@click.option("--list", "list_actions", is_flag=True,
              help=_("Name the actions each connection supports."))
@pass_cli
def act(cli: CliContext, connection: str | None, action: str | None, targets: tuple[str, ...],
        reason: str, params: tuple[str, ...], dry_run: bool, yes: bool, as_json: bool,
        list_actions: bool) -> None:
    from pmcockpit.services.opener import real_workspace
    from pmcockpit.services.targets import TargetError, resolve_action

    db = cli.open_db()
    workspace = real_workspace(cli.settings, db)
    if list_actions:
        asyncio.run(_list_actions(workspace))
        return
    if not connection or not action or not targets:
        raise click.UsageError(_("give CONNECTION ACTION TARGET..., or --list"))
    if action not in {kind.value for kind in ActionKind}:
        raise click.UsageError(_("no action {action!r}: `pmcockpit act --list` names the "
                                 "actions each connection offers").format(action=action))
    try:
        parsed = dict(_split_param(p) for p in params)
        actions = [resolve_action(db, connection, ActionKind(action), target, parsed, reason)
                   for target in targets]
    except TargetError as error:
        raise click.UsageError(str(error)) from error
    problems = sorted({p for a in actions for p in a.validate()})
    if problems:
        raise click.UsageError("; ".join(problems))
    if not dry_run:
        say_reconciled(reconcile_now(workspace))
    code = asyncio.run(_run(workspace, actions, dry_run=dry_run, yes=yes, as_json=as_json))
    sys.exit(code)


def _split_param(text: str) -> tuple[str, str]:
    from pmcockpit.services.targets import TargetError

    key, sep, value = text.partition("=")
    if not sep or not key:
        raise TargetError(_("--param takes KEY=VALUE, not {text!r}").format(text=text))
    return key.strip(), value


async def _run(workspace: Workspace, actions: list[Action], *, dry_run: bool, yes: bool,
               as_json: bool) -> int:
    from pmcockpit.services.actions import ActionRunner

    async with ActionRunner(workspace) as runner:
        if dry_run:
            previews = await runner.preview(actions)
            for preview in previews:
                if as_json:
                    click.echo(json.dumps({
                        "id": None, "status": "dry-run" if not preview.refusal else "refused",
                        "error": preview.refusal, "action": preview.action.to_json(),
                        "calls": [str(c) for c in preview.calls]}, ensure_ascii=False))
                    continue
                click.echo(_("would: {action}").format(action=preview.action.describe()))
                for call in preview.calls:
                    click.echo(f"  {call}")
                if preview.refusal:
                    click.echo(_("  refused: {reason}").format(reason=preview.refusal), err=True)
            return EXIT_FAILED if any(p.refusal for p in previews) else 0
        confirmed = all(_confirm(a, yes) for a in actions)
        if not confirmed:
            click.echo(_("Nothing done."))
            return EXIT_FAILED
        results = await runner.run(actions, confirmed=True)
    for result in results:
        _print_result(result, as_json)
    return 0 if all(r.ok for r in results) else EXIT_FAILED


@click.command(help=_(
    "Reverse the action ACTION_ID (from `pmcockpit audit list`) where the tool allows."))
@click.argument("action_id", type=int)
@click.option("--reason", default="", help=_("Why the action is reversed."))
@click.option("--yes", is_flag=True, help=_("Skip the confirmation prompt."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_cli
def undo(cli: CliContext, action_id: int, reason: str, yes: bool, as_json: bool) -> None:
    from pmcockpit.services.actions import ActionRunner, UndoError
    from pmcockpit.services.opener import real_workspace

    workspace = real_workspace(cli.settings, cli.open_db())
    say_reconciled(reconcile_now(workspace))

    async def run() -> int:
        async with ActionRunner(workspace) as runner:
            try:
                reverse = runner.undo_action(action_id, reason)
            except UndoError as error:
                click.echo(_("Error: {error}").format(error=error), err=True)
                return EXIT_USAGE
            if not _confirm(reverse, yes):
                click.echo(_("Nothing done."))
                return EXIT_FAILED
            result = await runner.undo(action_id, reason=reason, confirmed=True)
        _print_result(result, as_json)
        return 0 if result.ok else EXIT_FAILED

    sys.exit(asyncio.run(run()))
