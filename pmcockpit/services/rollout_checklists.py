"""An upgrade's linked checklists: the pre-upgrade checklist and the post-upgrade
verification, opened once per rollout from the checklist engine's templates.

The built-in templates are in ``pmcockpit/templates/upgrades``; a file of the same
name in the ``upgrade-checklists`` folder beside the administrator's phase plans
replaces one. A run is created the first time it is opened, with the rollout in its
period key, and is then an ordinary checklist run: ticked on the Checklist run
screen, its result measured by the gate item that links it.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from pmcockpit.config import Settings
from pmcockpit.core.checklist import ChecklistTemplate, TemplateError
from pmcockpit.core.checklist.recurrence import Period
from pmcockpit.core.checklist.runs import start_run
from pmcockpit.core.checklist.template import parse_template
from pmcockpit.core.i18n import _
from pmcockpit.services.checklist import RunDetail
from pmcockpit.services.rollout import RolloutRefused, log_event
from pmcockpit.services.rollout_plans import plan_dir
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.queries.rollout import find, rollout_detail
from pmcockpit.storage.queries.rollout_checklists import period_key

FOLDER = "upgrade-checklists"


def upgrade_checklists(settings: Settings) -> dict[str, ChecklistTemplate]:
    """The upgrade checklist templates by key; raises TemplateError for a broken file of
    the administrator's (theirs decides, even broken)."""
    found: dict[str, ChecklistTemplate] = {}
    for item in (resources.files("pmcockpit.templates") / "upgrades").iterdir():
        if item.name.endswith(".toml"):
            key = item.name.removesuffix(".toml")
            found[key] = parse_template(item.read_text(encoding="utf-8"),
                                        f"built-in/upgrades/{item.name}", key=key)
    custom = plan_dir(settings) / FOLDER
    for path in sorted(custom.glob("*.toml")) if custom.is_dir() else []:
        found[path.stem] = parse_template(path.read_text(encoding="utf-8"), str(path),
                                          key=path.stem)
    return found


def linked_checklists(workspace: Workspace, ref: str, now: datetime) -> list[str]:
    """The checklists the rollout's gates link, the current phase's first."""
    with workspace.db.session() as session:
        view = rollout_detail(session, ref, now.date())
    current = view.current
    keys = [g.checklist for g in current.gates if g.checklist] if current else []
    for phase in view.phases:
        keys += [g.checklist for g in phase.gates if g.checklist and g.checklist not in keys]
    return keys


def open_linked_checklist(workspace: Workspace, ref: str, key: str,
                          now: datetime) -> RunDetail:
    """The rollout's run of checklist ``key``, created when first opened."""
    try:
        templates = upgrade_checklists(workspace.settings)
    except TemplateError as error:
        raise RolloutRefused(_("the upgrade checklists cannot be read: {problems}").format(
            problems="; ".join(str(p) for p in error.problems))) from error
    template = templates.get(key)
    if template is None:
        raise RolloutRefused(_("no upgrade checklist {key}; known: {known}").format(
            key=key, known=", ".join(sorted(templates))))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        view = rollout_detail(session, ref, now.date())
        # Due when the phase whose gate links it is planned to end.
        ends = [p.planned_end for p in view.phases if any(g.checklist == key for g in p.gates)]
        due = max([now.date(), *ends[:1]])
        period = Period(now.date(), due, due, period_key(rollout.id))
        stored = checklist_runs.find_run(session, key, period.key)
        if stored is None:
            stored = checklist_runs.create_run(
                session, start_run(template, period, now), template_name=template.name,
                recurrence=template.recurrence.kind, operator=workspace.settings.operator)
            log_event(session, rollout, workspace.settings.operator, "checklist-opened",
                   checklist=key, run=stored.id)
    return RunDetail(stored, template)
