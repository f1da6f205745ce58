"""An upgrade's linked checklists: the pre-upgrade checklist and the post-upgrade
verification, opened once per rollout.

The built-in templates are in ``pmcockpit/templates/upgrades``; a file of the same
name in the ``upgrade-checklists`` folder beside the administrator's phase plans
replaces one. :func:`~pmcockpit.services.templates.load_templates` finds both, so a
run shows its guidance and measures its automatic checks like any other. A run is
created the first time it is opened, with the rollout in its period key, and is then
an ordinary checklist run (also listed on the Checklist screen while unfinished),
its result measured by the gate item that links it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pmcockpit.core.checklist.recurrence import Period
from pmcockpit.core.checklist.runs import start_run
from pmcockpit.core.i18n import _
from pmcockpit.services.checklist import RunDetail
from pmcockpit.services.rollout import RolloutRefused, log_event
from pmcockpit.services.templates import load_templates
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import checklist_runs
from pmcockpit.storage.queries.rollout import find, rollout_detail
from pmcockpit.storage.queries.rollout_checklists import period_key


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
    templates = load_templates(workspace.settings)
    template = templates.linked.get(key)
    if template is None:
        if key in templates.problems:
            raise RolloutRefused(_("the upgrade checklist {key} cannot be used: {problems}").format(
                key=key, problems="; ".join(str(p) for p in templates.problems[key])))
        raise RolloutRefused(_("no upgrade checklist {key}; known: {known}").format(
            key=key, known=", ".join(sorted(templates.linked))))
    with workspace.db.session() as session:
        rollout = find(session, ref)
        view = rollout_detail(session, ref, now.date())
        period = replace(template.recurrence.period_for(now.date()), key=period_key(rollout.id))
        if not period.open_ended:  # an older template: due when its phase is planned to end
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
