"""``pmcockpit review apply`` and ``pmcockpit sweep``: a review's decisions, or a leaver's
accounts, as one plan of remote calls, previewed, confirmed and run through the audited
action path with per-item results."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from pmcockpit.commands.audit import reconcile_now, say_reconciled
from pmcockpit.commands.context import EXIT_FAILED, CliContext, pass_cli
from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import _, ngettext

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.actions import ActionResult, ActionRunner, Preview
    from pmcockpit.services.workspace import Workspace


def _say_preview(previews: Sequence[Preview], as_json: bool) -> None:
    current = None
    for preview in previews:
        if as_json:
            click.echo(json.dumps({
                "status": "refused" if preview.refusal else "planned",
                "error": preview.refusal, "action": preview.action.to_json(),
                "calls": [str(c) for c in preview.calls]}, ensure_ascii=False))
            continue
        if preview.action.connection != current:
            current = preview.action.connection
            click.echo(_("{connection}:").format(connection=current))
        click.echo(_("  would: {action}").format(action=preview.action.describe()))
        for call in preview.calls:
            click.echo(f"    {call}")
        if preview.refusal:
            click.echo(_("    refused: {reason}").format(reason=preview.refusal), err=True)


def _confirmed(actions: Sequence[Action], yes: bool) -> bool:
    """Destructive plans are confirmed; bulk ones by typing how many changes they make."""
    destructive = [a for a in actions if a.destructive]
    if not destructive or yes:
        return True
    if not sys.stdin.isatty():
        raise click.UsageError(_("the plan is destructive: confirm with --yes when not running "
                                 "at a terminal"))
    if len(destructive) == 1:
        return bool(click.confirm(_("Go ahead?"), default=False))
    typed: str = click.prompt(ngettext("Type {count} to make this change",
                                  "Type {count} to make these {count} changes",
                                  len(destructive)).format(count=len(destructive)),
                         default="", show_default=False)
    return str(typed).strip() == str(len(destructive))


def _say_result(result: ActionResult, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    verdict = {"succeeded": _("done"), "failed": _("FAILED"),
               "refused": _("REFUSED")}[result.outcome]
    click.echo(_("[{id}] {verdict}: {action}").format(
        id=result.audit_id, verdict=verdict, action=result.action.describe()))
    if result.error:
        click.echo(f"  {result.error}", err=True)


async def _preview(runner: ActionRunner, actions: Sequence[Action], as_json: bool
                   ) -> list[Preview]:
    previews = await runner.preview(actions)
    _say_preview(previews, as_json)
    return previews


async def _apply(workspace: Workspace, review_id: int, *, dry_run: bool, yes: bool,
                 as_json: bool) -> int:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.actions import ActionRunner

    async with ActionRunner(workspace) as runner:
        steps = await reviews.plan(runner, review_id)
        if not steps:
            click.echo(_("Nothing to apply: no revoke or downgrade waits in review {id}.")
                       .format(id=review_id))
            return 0
        previews = await _preview(runner, [s.action for s in steps], as_json)
        if dry_run:
            return EXIT_FAILED if any(p.refusal for p in previews) else 0
        if not _confirmed([s.action for s in steps], yes):
            click.echo(_("Nothing done."))
            return EXIT_FAILED
        results = await reviews.apply(runner, steps, confirmed=True,
                                      on_result=lambda _i, _n, r: _say_result(r, as_json))
    failed = sum(not r.ok for r in results)
    if failed and not as_json:
        click.echo(ngettext("{count} step failed; it stays in the plan: run apply again.",
                            "{count} steps failed; they stay in the plan: run apply again.",
                            failed).format(count=failed))
    return EXIT_FAILED if failed else 0


@click.command(help=_("Apply a review's revoke and downgrade decisions: preview the plan, "
                      "confirm, and run it through the audited action path. Failed steps "
                      "stay in the plan for the next apply."))
@click.argument("review_id", type=int)
@click.option("--dry-run", is_flag=True, help=_("Print the plan; change nothing."))
@click.option("--yes", is_flag=True, help=_("Skip the confirmation."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per step."))
@pass_cli
def apply(cli: CliContext, review_id: int, dry_run: bool, yes: bool, as_json: bool) -> None:
    from pmcockpit.services.actions import ConnectorError
    from pmcockpit.services.opener import real_workspace

    workspace = real_workspace(cli.settings, cli.open_db())
    if not dry_run:
        say_reconciled(reconcile_now(workspace))
    try:
        code = asyncio.run(_apply(workspace, review_id, dry_run=dry_run, yes=yes,
                                  as_json=as_json))
    except (ValueError, LookupError, ConnectorError) as error:
        raise click.ClickException(str(error)) from error
    sys.exit(code)


async def _sweep(workspace: Workspace, person: str | None, *, all_departed: bool, reason: str,
                 dry_run: bool, yes: bool, as_json: bool) -> int:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.actions import ActionRunner

    async with ActionRunner(workspace) as runner:
        actions = await reviews.sweep_plan(runner, person, all_departed=all_departed,
                                           reason=reason)
        if not actions:
            click.echo(_("Nothing to lock: every account is locked already."))
            return 0
        previews = await _preview(runner, actions, as_json)
        if dry_run:
            return EXIT_FAILED if any(p.refusal for p in previews) else 0
        if not _confirmed(actions, yes):
            click.echo(_("Nothing done."))
            return EXIT_FAILED
        results = await runner.run(actions, confirmed=True,
                                   on_result=lambda _i, _n, r: _say_result(r, as_json))
    return 0 if all(r.ok for r in results) else EXIT_FAILED


@click.command(help=_("Leaver sweep: lock every open account of PERSON (a login, an e-mail "
                      "or a name on the roster) in every tool, as one plan; or of everyone "
                      "the roster says left."))
@click.argument("person", required=False)
@click.option("--all-departed", is_flag=True, help=_("Everyone the roster says left."))
@click.option("--reason", default="", help=_("Why (required)."))
@click.option("--dry-run", is_flag=True, help=_("Print the plan; change nothing."))
@click.option("--yes", is_flag=True, help=_("Skip the confirmation."))
@click.option("--json", "as_json", is_flag=True, help=_("One JSON object per step."))
@pass_cli
def sweep(cli: CliContext, person: str | None, all_departed: bool, reason: str, dry_run: bool,
          yes: bool, as_json: bool) -> None:
    from pmcockpit.services import review as reviews
    from pmcockpit.services.actions import ConnectorError
    from pmcockpit.services.opener import real_workspace

    if not person and not all_departed:
        raise click.UsageError(_("give PERSON, or --all-departed"))
    if not reason.strip() and not dry_run:
        raise click.UsageError(_("a reason is required: --reason"))
    workspace = real_workspace(cli.settings, cli.open_db())
    if not dry_run:
        say_reconciled(reconcile_now(workspace))
    try:
        code = asyncio.run(_sweep(workspace, person, all_departed=all_departed,
                                  reason=reason or _("leaver sweep"), dry_run=dry_run, yes=yes,
                                  as_json=as_json))
    except (reviews.UnknownPerson, ConnectorError) as error:
        raise click.ClickException(str(error)) from error
    sys.exit(code)
