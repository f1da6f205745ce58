"""``pmcockpit rollout``: pilots, waves and upgrades without the UI, for scripts and reports.

Exit status: 0 done, 1 refused (a gate not met, a decision without a reason), 2 for
a usage error (an unknown rollout, connection or plan).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from pmcockpit.commands.context import EXIT_FAILED, EXIT_USAGE, CliContext, pad, pass_cli
from pmcockpit.core.checklist import StepState
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import (
    Decision,
    Level,
    RolloutKind,
    WaveStatus,
    health_label,
    kind_label,
)

if TYPE_CHECKING:  # the services load when a command runs, not for --help
    from pmcockpit.services.workspace import Workspace

_JSON = click.option("--json", "as_json", is_flag=True, help=_("Machine-readable output."))
_LEVELS = click.Choice([level.value for level in Level])


@contextmanager
def _outcomes() -> Iterator[None]:
    """Refusals exit 1 with the reason; unknown names exit 2."""
    from pmcockpit.services.rollout import RolloutRefused
    from pmcockpit.storage.connections import UnknownConnection
    from pmcockpit.storage.queries.rollout import UnknownRollout

    try:
        yield
    except RolloutRefused as error:
        click.echo(_("Refused: {reason}").format(reason=error), err=True)
        sys.exit(EXIT_FAILED)
    except (UnknownRollout, UnknownConnection, LookupError) as error:
        click.echo(_("Error: {message}").format(message=error.args[0] if error.args else error),
                   err=True)
        sys.exit(EXIT_USAGE)


def _workspace(cli: CliContext) -> Workspace:
    from pmcockpit.services.opener import real_workspace

    return real_workspace(cli.settings, cli.open_db())


def _today() -> date:
    return utcnow().date()


def _done(as_json: bool, data: dict[str, Any], message: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else message)


# Help texts are translated at import (see pmcockpit.cli).
@click.group(help=_("Rollouts: tool adoption (pilot, standardise, waves, optimise), version "
                    "upgrades (plan, test, roll out, verify), template and integration "
                    "changes. Phase plans are TOML files like the checklists (folder "
                    "rollouts/ beside the checklist folder)."))
def rollout() -> None:
    pass


@rollout.command("new", help=_("Start a rollout NAME in the first phase of its plan."))
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in RolloutKind]), required=True,
              help=_("What is rolled out."))
@click.option("--connection", "connections", metavar="NAME", multiple=True,
              help=_("A connected tool it concerns; repeat for several (default: all)."))
@click.option("--target-version", metavar="V", help=_("An upgrade's target version."))
@click.option("--current-version", metavar="V",
              help=_("The version upgraded from; default: what the tool last reported."))
@click.option("--plan", "plan_key", metavar="KEY", help=_("A phase plan other than the kind's."))
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help=_("First day (default today)."))
@click.option("--break-in-months", type=int, default=6, show_default=True,
              help=_("How long each team's break-in after go-live lasts."))
@click.option("--owner", metavar="WHO", help=_("Who answers for it (default: the operator)."))
@_JSON
@pass_cli
def new(cli: CliContext, name: str, kind: str, connections: tuple[str, ...],
        target_version: str | None, current_version: str | None, plan_key: str | None,
        start: Any, break_in_months: int, owner: str | None, as_json: bool) -> None:
    from pmcockpit.services import rollout as service
    from pmcockpit.services.rollout_report import report_data

    workspace = _workspace(cli)
    with _outcomes():
        rollout_id = service.create_rollout(
            workspace, name, RolloutKind(kind), start.date() if start else _today(),
            plan_key=plan_key, connections=connections, current_version=current_version,
            target_version=target_version, break_in_months=break_in_months,
            owner=owner.strip() if owner and owner.strip() else None)
        view = service.detail(workspace, name, _today())
    _done(as_json, {"id": rollout_id, **report_data(view)},
          _("Started {name} ({kind}), now in {phase}.").format(
              name=name, kind=kind_label(view.kind),
              phase=view.current.title if view.current else "–"))


@rollout.command("list", help=_("Every rollout with its phase and health."))
@_JSON
@pass_cli
def list_rollouts(cli: CliContext, as_json: bool) -> None:
    from pmcockpit.services.rollout_report import report_data
    from pmcockpit.storage.queries.rollout import rollout_details

    workspace = _workspace(cli)
    with workspace.db.session() as session:
        views = rollout_details(session, _today())
    if as_json:
        click.echo(json.dumps([report_data(v) for v in views], ensure_ascii=False, indent=2))
        return
    if not views:
        click.echo(_("No rollouts yet: start one with `pmcockpit rollout new NAME --kind "
                     "adoption`."))
    for view in views:
        phase = view.current.title if view.current else _("finished")
        click.echo(f"{pad(view.name, 24)} {pad(kind_label(view.kind), 18)} {pad(phase, 16)} "
                   f"{health_label(view.health.health)}")


@rollout.command(help=_("One rollout in full: the report, as Markdown."))
@click.argument("name")
@_JSON
@pass_cli
def show(cli: CliContext, name: str, as_json: bool) -> None:
    _report(cli, name, "json" if as_json else "md")


@rollout.command(help=_("Write ROLLOUT's status report for stakeholders: phase, milestones, "
                        "gates, adoption, open risks and change requests."))
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True)
@pass_cli
def report(cli: CliContext, name: str, fmt: str) -> None:
    _report(cli, name, fmt)


def _report(cli: CliContext, name: str, fmt: str) -> None:
    from pmcockpit.services.rollout_report import rollout_report

    workspace = _workspace(cli)
    with _outcomes():
        markdown, data = rollout_report(workspace, name, utcnow())
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json"
               else markdown.rstrip("\n"))


@rollout.command(help=_("Leave the current phase: refused, with the reasons, until its gate "
                        "is met (and, for a roll-out, the rollback plan is written)."))
@click.argument("name")
@_JSON
@pass_cli
def advance(cli: CliContext, name: str, as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    workspace = _workspace(cli)
    with _outcomes():
        moved = service.advance(workspace, name, _today())
    message = _("{name}: left {left}, now in {entered}.").format(
        name=name, left=moved.left, entered=moved.entered) if moved.entered else \
        _("{name}: left {left}; every phase is done.").format(name=name, left=moved.left)
    _done(as_json, {"left": moved.left, "entered": moved.entered}, message)


@rollout.command(help=_("Tick ITEM of the current phase's gate with EVIDENCE."))
@click.argument("name")
@click.argument("item")
@click.argument("evidence", default="")
@click.option("--checklist-run", type=int, help=_("The checklist run that is the evidence."))
@_JSON
@pass_cli
def tick(cli: CliContext, name: str, item: str, evidence: str, checklist_run: int | None,
         as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.tick_gate(w, name, item, evidence,
                                                      checklist_run_id=checklist_run),
            _("Ticked {item}.").format(item=item))


@rollout.command("rollback-plan", help=_("Write the upgrade's rollback plan (TEXT)."))
@click.argument("name")
@click.argument("text")
@_JSON
@pass_cli
def rollback_plan(cli: CliContext, name: str, text: str, as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.set_rollback_plan(w, name, text),
            _("Rollback plan saved."))


@rollout.command(help=_("Enter the version a tool runs when it does not report it (Redmine)."))
@click.argument("name")
@click.argument("version")
@_JSON
@pass_cli
def version(cli: CliContext, name: str, version: str, as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.set_version(w, name, version),
            _("Version {version} recorded.").format(version=version))


@rollout.command(help=_("Add a milestone TITLE due on DUE (YYYY-MM-DD)."))
@click.argument("name")
@click.argument("title")
@click.argument("due", type=click.DateTime(["%Y-%m-%d"]))
@_JSON
@pass_cli
def milestone(cli: CliContext, name: str, title: str, due: Any, as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.add_milestone(w, name, title, due.date()),
            _("Milestone added."))


@rollout.command(help=_("Add wave WAVE with teams (--team NAME[:GROUP]) or set its --status."))
@click.argument("name")
@click.argument("wave")
@click.option("--team", "teams", multiple=True, metavar="NAME[:GROUP]",
              help=_("A team, measured from the synced group GROUP (default: NAME)."))
@click.option("--status", type=click.Choice([s.value for s in WaveStatus]))
@_JSON
@pass_cli
def wave(cli: CliContext, name: str, wave: str, teams: tuple[str, ...], status: str | None,
         as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    def apply(workspace: Workspace) -> None:
        if teams or status is None:
            parsed = tuple((t.split(":", 1)[0], t.split(":", 1)[-1], None) for t in teams)
            service.add_wave(workspace, name, wave, teams=parsed)
        if status is not None:
            service.set_wave_status(workspace, name, wave, WaveStatus(status))

    _change(cli, as_json, apply, _("Wave {wave} saved.").format(wave=wave))


@rollout.command(help=_("Add TEAM to WAVE, measured from the synced group --group (or counted "
                        "by hand with --expected alone)."))
@click.argument("name")
@click.argument("wave")
@click.argument("team")
@click.option("--group", metavar="GROUP", help=_("The synced group (a roster department)."))
@click.option("--expected", type=click.IntRange(min=0), help=_("People expected."))
@_JSON
@pass_cli
def team(cli: CliContext, name: str, wave: str, team: str, group: str | None,
         expected: int | None, as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.add_team(w, name, wave, team, group, expected),
            _("Team {team} added.").format(team=team))


@rollout.command(help=_("Open the upgrade's linked checklist KEY (pre-upgrade, post-upgrade), "
                        "mark --done steps, and show its steps."))
@click.argument("name")
@click.argument("key")
@click.option("--done", "done", multiple=True, metavar="STEP", help=_("A step to mark done."))
@_JSON
@pass_cli
def checklist(cli: CliContext, name: str, key: str, done: tuple[str, ...],
              as_json: bool) -> None:
    from pmcockpit.services import checklist as checklists
    from pmcockpit.services.rollout_checklists import open_linked_checklist

    workspace = _workspace(cli)
    with _outcomes():
        detail = open_linked_checklist(workspace, name, key, utcnow())
        for step in done:
            try:
                detail = checklists.mark_step(workspace, detail.id, step, StepState.DONE)
            except (KeyError, ValueError) as error:
                raise LookupError(str(error.args[0] if error.args else error)) from error
    run = detail.stored.run
    if as_json:
        click.echo(json.dumps({"run": detail.id, "complete": run.complete, "steps": [
            {"id": s.step_id, "title": s.title, "state": s.state.value} for s in run.steps]}))
        return
    click.echo(_("Checklist run {id} ({done} of {total} settled):").format(
        id=detail.id, done=run.progress.done, total=run.progress.total))
    for s in run.steps:
        click.echo(f"  [{'x' if s.settled else ' '}] {pad(s.step_id, 20)} {s.title}")


@rollout.command(help=_("Record an open risk of the rollout: TITLE, its impact and mitigation."))
@click.argument("name")
@click.argument("title")
@click.option("--impact", type=_LEVELS, default="medium", show_default=True)
@click.option("--mitigation", default="", help=_("What is done about it."))
@_JSON
@pass_cli
def risk(cli: CliContext, name: str, title: str, impact: str, mitigation: str,
         as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.add_risk(w, name, title, Level(impact), mitigation),
            _("Risk recorded."))


@rollout.command(help=_("Record a training session of TEAM on DAY (YYYY-MM-DD)."))
@click.argument("name")
@click.argument("team")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--invited", type=click.IntRange(min=0), required=True)
@click.option("--attended", type=click.IntRange(min=0), required=True)
@_JSON
@pass_cli
def training(cli: CliContext, name: str, team: str, day: Any, invited: int, attended: int,
             as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.add_training(w, name, team, day.date(), invited,
                                                         attended),
            _("Training session recorded."))


@rollout.group(help=_("Change requests: raise one, record its decision with who and why."))
def cr() -> None:
    pass


@cr.command("add", help=_("Raise a change request TITLE."))
@click.argument("name")
@click.argument("title")
@click.option("--impact", type=_LEVELS, default="medium", show_default=True)
@click.option("--priority", type=_LEVELS, default="medium", show_default=True)
@_JSON
@pass_cli
def cr_add(cli: CliContext, name: str, title: str, impact: str, priority: str,
           as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.raise_change(w, name, title, Level(impact),
                                                          Level(priority)),
            _("Change request raised."))


@cr.command("decide", help=_("Decide change request ID: accepted, deferred or rejected, and why."))
@click.argument("name")
@click.argument("change_id", type=int)
@click.argument("decision", type=click.Choice(["accepted", "deferred", "rejected"]))
@click.option("--reason", required=True, help=_("Why: kept with who decided."))
@_JSON
@pass_cli
def cr_decide(cli: CliContext, name: str, change_id: int, decision: str, reason: str,
              as_json: bool) -> None:
    from pmcockpit.services import rollout as service

    _change(cli, as_json, lambda w: service.decide_change(w, name, change_id,
                                                           Decision(decision), reason),
            _("Decision recorded."))


def _change(cli: CliContext, as_json: bool, apply: Callable[[Workspace], object],
            message: str) -> None:
    workspace = _workspace(cli)
    with _outcomes():
        result = apply(workspace)
    _done(as_json, {"ok": True, "id": result if isinstance(result, int) else None}, message)
