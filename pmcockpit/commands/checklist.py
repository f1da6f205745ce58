"""``pmcockpit checklist``: the routine checklists without the UI, for cron and scripts.

Exit status of ``run --auto``: 0 when every check passed (warnings are printed
but pass), 1 when any failed or could not be measured, 2 for a usage or
configuration error (an unknown or malformed template, a database that cannot
be opened).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from pmcockpit.commands.alert import echo_deliveries
from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pad, pass_cli
from pmcockpit.core.checklist import ChecklistTemplate, CheckStatus, Run, TemplateError
from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.core.wording import due_state_word, on_time_rate, step_state_word, timeliness_word
from pmcockpit.services.templates import (
    BrokenTemplate,
    UnknownTemplate,
    load_templates,
    read_template,
)

if TYPE_CHECKING:  # the database and the checks load when a command runs, not for --help
    from pmcockpit.services import checklist as service
    from pmcockpit.services.workspace import Workspace
    from pmcockpit.storage.db import Database

# Marked with N_, translated where printed: the table is built at import.
_STATUS_LABEL = {CheckStatus.PASS: N_("PASS"), CheckStatus.WARN: N_("WARN"),
                 CheckStatus.FAIL: N_("FAIL"), CheckStatus.ERROR: N_("ERROR")}


def _usage_error(message: str) -> NoReturn:
    click.echo(_("Error: {message}").format(message=message), err=True)
    sys.exit(EXIT_USAGE)


def _workspace(cli: CliContext) -> Workspace:
    from pmcockpit.services.opener import real_workspace

    try:
        db: Database = cli.open_db()
    except click.ClickException as error:
        _usage_error(error.message)
    return real_workspace(cli.settings, db)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


# Help texts are translated at import (see pmcockpit.cli).
@click.group(help=_("The routine checklists: daily inspection, weekly clean-up, monthly and "
                    "quarterly.\n\nBuilt-in templates can be replaced or added to with TOML "
                    "files in the checklist folder (templates_dir in the config; default: the "
                    "config folder's checklists/). The cockpit's Checklist screen is where "
                    "manual steps are ticked."))
def checklist() -> None:
    pass


@checklist.command("list", help=_("Each checklist's current period: overdue and due first, "
                                  "with progress."))
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def list_runs(cli: CliContext, as_json: bool) -> None:
    from pmcockpit.services import checklist as service

    workspace = _workspace(cli)
    templates = load_templates(workspace.settings)
    items = service.due_overview(workspace, templates=templates)
    for problem in templates.all_problems:
        click.echo(_("template problem: {problem}").format(problem=problem), err=True)
    if as_json:
        click.echo(json.dumps([{
            "template": item.template.key, "name": item.template.name,
            "period": item.period.key, "state": item.state.value,
            "due_at": _when(item.due_at), "done": item.progress.done,
            "total": item.progress.total, "run_id": item.run_id,
        } for item in items], ensure_ascii=False, indent=2))
        return
    for item in items:
        marker = _("OVERDUE") if item.overdue else due_state_word(item.state)
        due = _("due {due}").format(due=f"{item.due_at:%Y-%m-%d %H:%M}")
        click.echo(f"{pad(marker, 8)} {pad(item.template.key, 32)} {pad(item.period.key, 11)} "
                   f"{item.progress!s:>5}  {due}  {item.template.name}")


@checklist.command(help=_("Check template FILES: every mistake with its file, line and what to "
                          "fix (exit 1)."))
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    broken = 0
    for path in files:
        try:
            template = read_template(path)
        except TemplateError as error:
            broken += 1
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(_valid(path, template))
    if broken:
        sys.exit(EXIT_FAILED)


def _valid(path: Path, template: ChecklistTemplate) -> str:
    """"FILE: ok: 'Name' (key), every day, due within 0 days, 2 steps (2 automated)"."""
    offset, steps = template.recurrence.due_offset, len(template.steps)
    automated = sum(step.automated for step in template.steps)
    return _("{file}: ok: {name} ({key}), {recurrence}, {due_within}, {steps}").format(
        file=path, name=repr(template.name), key=template.key,
        recurrence=template.recurrence.describe(),
        due_within=ngettext("due within {count} day", "due within {count} days", offset)
        .format(count=offset),
        steps=ngettext("{count} step ({automated} automated)",
                       "{count} steps ({automated} automated)", steps)
        .format(count=steps, automated=automated))


def _step_rows(detail: service.RunDetail,
               outcomes: dict[str, service.StepOutcome]) -> list[dict[str, Any]]:
    rows = []
    for step in detail.run.steps:
        outcome = outcomes.get(step.step_id)
        result = outcome.result if outcome else None
        evidence = detail.evidence(step.step_id)
        rows.append({
            "id": step.step_id, "title": step.title, "check": step.check,
            "state": step.state.value, "status": result.status.value if result else None,
            "value": step.result.value if step.result else None,
            "message": step.result.message if step.result else None, "note": step.note,
            "measured_at": _when(evidence.measured_at), "operator": evidence.operator,
        })
    return rows


@checklist.command(help=_("Run TEMPLATE's automated checks for the current period and record "
                          "them.\n\n\b\nExample (cron, every morning at 7):\n"
                          "  0 7 * * *  pmcockpit checklist run daily-inspection --auto\n"
                          "Exit status: 0 all passed, 1 any failed, 2 usage or configuration "
                          "error."))
@click.argument("template")
@click.option("--auto", is_flag=True, help=_("Run the automated steps of the current run."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the results as JSON."))
@pass_cli
def run(cli: CliContext, template: str, auto: bool, as_json: bool) -> None:
    import asyncio

    from pmcockpit.services import checklist as service

    if not auto:
        _usage_error(_("add --auto to run the automated steps; manual steps are ticked "
                       "in the cockpit"))
    workspace = _workspace(cli)
    try:
        opened = service.open_current_run(workspace, template)
    except UnknownTemplate as error:
        _usage_error(str(error))
    except BrokenTemplate as error:
        _usage_error(str(error))
    show_progress = not as_json and sys.stderr.isatty()

    def progress(step: service.StepProgress) -> None:
        if show_progress and step.result is None:
            click.echo(f"[{step.index + 1}/{step.total}] {step.title}…", err=True)

    report = asyncio.run(service.run_automated(workspace, opened.id, progress))
    echo_deliveries(list(report.deliveries))
    detail = report.detail
    outcomes = {outcome.step_id: outcome for outcome in report.outcomes}
    warnings = sum(o.result is not None and o.result.status is CheckStatus.WARN
                   for o in report.outcomes)
    if as_json:
        click.echo(json.dumps({
            "template": detail.run.template_key, "name": detail.name,
            "period": detail.run.period.key, "run_id": detail.id,
            "operator": workspace.settings.operator,
            "status": "fail" if report.failed else "pass", "warnings": warnings,
            "complete": detail.run.complete, "done": detail.run.progress.done,
            "total": detail.run.progress.total, "steps": _step_rows(detail, outcomes),
        }, ensure_ascii=False, indent=2))
    else:
        _print_summary(detail, outcomes, report.failed, warnings)
    sys.exit(EXIT_FAILED if report.failed else 0)


def _print_summary(detail: service.RunDetail, outcomes: dict[str, service.StepOutcome],
                   failed: bool, warnings: int) -> None:
    run_ = detail.run
    click.echo(_("{name}: {period} (run {run})").format(name=detail.name, period=run_.period.key,
                                                        run=detail.id))
    for step in run_.steps:
        outcome = outcomes.get(step.step_id)
        state = step_state_word(step.state)
        if outcome is None:
            click.echo(f"  {pad('-', 6)} " + _("{step} (manual: {state})").format(
                step=step.title, state=state))
        elif outcome.result is None:
            click.echo(f"  {pad('-', 6)} " + _("{step} ({state} by hand, not checked)").format(
                step=step.title, state=state))
        else:
            click.echo(f"  {pad(_(_STATUS_LABEL[outcome.result.status]), 6)} "
                       f"{step.title}: {outcome.result.value}")
            if outcome.result.status is not CheckStatus.PASS:  # say why, line by line
                for line in outcome.result.message.splitlines():
                    click.echo(f"         {line}")
    click.echo(_verdict(run_, failed, warnings))


def _verdict(run_: Run, failed: bool, warnings: int) -> str:
    """"all checks passed, 1 with warnings; progress 2/3 steps settled"."""
    verdict = _("some checks FAILED") if failed else _("all checks passed")
    if warnings:
        verdict = ngettext("{verdict}, {count} with warnings", "{verdict}, {count} with warnings",
                           warnings).format(verdict=verdict, count=warnings)
    progress = (_("progress {progress} steps settled, run complete") if run_.complete
                else _("progress {progress} steps settled")).format(progress=run_.progress)
    # Translators: whether the checks passed, then how far the run is.
    return _("{verdict}; {progress}").format(verdict=verdict, progress=progress)


@checklist.command(help=_("TEMPLATE's past periods, newest first: on time, late or missed, and "
                          "failures."))
@click.argument("template")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help=_("Only periods from this day (YYYY-MM-DD)."))
@click.option("--limit", default=30, show_default=True, help=_("How many periods to print."))
@click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
@pass_cli
def history(cli: CliContext, template: str, since: datetime | None, limit: int,
            as_json: bool) -> None:
    from pmcockpit.services import checklist as service

    workspace = _workspace(cli)
    start: date | None = since.date() if since else None
    try:
        past = service.history(workspace, template, since=start)
    except (UnknownTemplate, BrokenTemplate) as error:
        _usage_error(str(error))
    entries = past.entries[:limit]
    if as_json:
        click.echo(json.dumps({
            "template": past.template.key, "since": past.since.isoformat() if past.since else None,
            "on_time": past.rate.on_time, "late": past.rate.late, "missed": past.rate.missed,
            "rate": past.rate.rate,
            "periods": [{"period": e.period.key, "outcome": e.outcome.timeliness.value,
                         "run_id": e.run_id,
                         "failures": [{"step": s.step_id, "title": s.title, "note": s.note}
                                      for s in e.failures]} for e in entries],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(_("{name}: {rate}").format(name=past.template.name, rate=on_time_rate(past.rate)))
    for entry in entries:
        click.echo(f"  {pad(entry.period.key, 11)} {timeliness_word(entry.outcome.timeliness)}")
        for step in entry.failures:
            click.echo("      " + _("failed: {step}: {note}").format(
                step=step.title, note=step.note or _("(no note yet)")))
