"""The forms of the Rollout screen's keys, built from the highlighted rollout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import (
    Decision,
    Level,
    RolloutKind,
    WaveStatus,
    decision_label,
    kind_label,
    level_label,
    wave_label,
)
from pmcockpit.screens.rollout_form import FormField, RolloutForm
from pmcockpit.storage.queries.rollout import RolloutDetail

NO_CONNECTION = "-"
NO_GROUP = "-"
_LEVELS = [(level_label(level), level.value) for level in Level]


def new_form(connections: Sequence[str]) -> RolloutForm:
    return RolloutForm(_("New rollout"), [
        FormField("name", _("Name"), placeholder=_("GitLab 17.8, Jira for Sales, ...")),
        FormField("kind", _("Kind"), choices=[(kind_label(k), k.value) for k in RolloutKind]),
        FormField("connection", _("Connection"),
                  choices=[(_("all tools"), NO_CONNECTION),
                           *((name, name) for name in connections)]),
        FormField("more", _("More connections"), placeholder=_("names, comma-separated")),
        FormField("target", _("Target version (upgrades)"), placeholder="17.8.0"),
    ])


def chosen_connections(values: dict[str, str]) -> list[str]:
    """The new rollout's connections: the one chosen and those typed (none: every tool)."""
    first = [] if values["connection"] == NO_CONNECTION else [values["connection"]]
    return [*first, *(name.strip() for name in values.get("more", "").split(",")
                      if name.strip())]


def tick_form(view: RolloutDetail) -> RolloutForm | None:
    manual = [state for state in view.gate if not state.spec.automatic]
    # Items still open first: the one chosen when the form opens is the next to tick.
    items = [(state.spec.title, state.spec.id)
             for state in sorted(manual, key=lambda state: state.met)]
    if not items:
        return None
    return RolloutForm(_("Tick a gate item of {phase}").format(
        phase=view.current.title if view.current else ""), [
        FormField("item", _("Item"), choices=items),
        FormField("evidence", _("Evidence: a note, a link, a checklist run"),
                  placeholder=_("Restore tried on the test server, 4 March")),
    ])


def milestone_form(today: date) -> RolloutForm:
    return RolloutForm(_("Add a milestone"), [
        FormField("title", _("Title")),
        FormField("due", _("Due (YYYY-MM-DD)"), (today + timedelta(days=7)).isoformat()),
    ])


def change_form() -> RolloutForm:
    return RolloutForm(_("Record a change request"), [
        FormField("title", _("What should change")),
        FormField("impact", _("Impact"), Level.MEDIUM.value, _LEVELS),
        FormField("priority", _("Priority"), Level.MEDIUM.value, _LEVELS),
    ])


def decide_form(view: RolloutDetail) -> RolloutForm | None:
    pending = [(f"#{c.id} {c.title}", str(c.id)) for c in view.changes
               if c.decision is Decision.PENDING]
    if not pending:
        return None
    decisions = [(decision_label(d), d.value) for d in Decision if d is not Decision.PENDING]
    return RolloutForm(_("Decide a change request"), [
        FormField("change", _("Change request"), choices=pending),
        FormField("decision", _("Decision"), choices=decisions),
        FormField("reason", _("Why (kept with your name)")),
    ])


def wave_form(view: RolloutDetail) -> RolloutForm | None:
    if not view.waves:
        return None
    return RolloutForm(_("Mark a wave"), [
        FormField("wave", _("Wave"), choices=[(w.name, w.name) for w in view.waves]),
        FormField("status", _("Status"), choices=[(wave_label(s), s.value)
                                                  for s in WaveStatus]),
        FormField("go_live", _("Go-live date (YYYY-MM-DD, empty: keep or today)")),
    ])


def rollback_form(view: RolloutDetail) -> RolloutForm:
    return RolloutForm(_("Rollback plan of {name}").format(name=view.name), [
        FormField("plan", _("How to go back if the roll-out fails"), view.rollback_plan,
                  placeholder=_("Restore the VM snapshot, then the database dump")),
    ])


def version_form(view: RolloutDetail) -> RolloutForm:
    current = view.version.observed if view.version else ""
    return RolloutForm(_("Version the tool runs now"), [
        FormField("version", _("Version (read it off the tool's admin page)"), current or ""),
    ])


def add_wave_form(today: date) -> RolloutForm:
    return RolloutForm(_("Add a wave"), [
        FormField("name", _("Wave"), placeholder=_("Wave 4")),
        FormField("teams", _("Teams, by commas; each measured from the synced group of its "
                             "name, or TEAM:GROUP"),
                  placeholder=_("Finance, PMO:Project office")),
        FormField("go_live", _("Planned go-live (YYYY-MM-DD, may stay empty)"),
                  placeholder=(today + timedelta(weeks=4)).isoformat()),
    ])


def team_form(view: RolloutDetail, groups: Sequence[str]) -> RolloutForm | None:
    """The group is picked from the synced groups and roster departments, or typed
    (a group not synced yet); neither: the team is defined by hand."""
    if not view.waves:
        return None
    picked = FormField("group", _("Synced group or roster department"), choices=[
        (_("none: typed below, or defined by hand"), NO_GROUP),
        *((name, name) for name in groups)]) if groups else None
    typed = FormField("group_typed", _("Or type a group (wins over the pick)") if picked
                      else _("Synced group (a roster department; empty: defined by hand)"),
                      placeholder=_("Legal"))
    return RolloutForm(_("Add a team to a wave"), [
        FormField("wave", _("Wave"), choices=[(w.name, w.name) for w in view.waves]),
        FormField("team", _("Team"), placeholder=_("Legal")),
        *([picked] if picked else []), typed,
        FormField("expected", _("People expected (empty: the roster's headcount, else members)")),
    ])


def chosen_group(values: Mapping[str, str]) -> str | None:
    """The team form's group: the typed one, else the picked one, else none."""
    typed = values.get("group_typed", "").strip()
    picked = values.get("group", NO_GROUP)
    return typed or (None if picked == NO_GROUP else picked)


def risk_form() -> RolloutForm:
    return RolloutForm(_("Record a risk"), [
        FormField("title", _("What could go wrong")),
        FormField("impact", _("Impact"), Level.MEDIUM.value, _LEVELS),
        FormField("mitigation", _("What is done about it")),
    ])


def training_form(view: RolloutDetail, today: date) -> RolloutForm:
    teams = [name for wave in view.waves for name in wave.teams]
    team = FormField("team", _("Team"), choices=[(name, name) for name in teams]) if teams \
        else FormField("team", _("Team"))
    return RolloutForm(_("Record a training session"), [
        team,
        FormField("held_on", _("Held on (YYYY-MM-DD)"), today.isoformat()),
        FormField("invited", _("People invited")),
        FormField("attended", _("People who attended")),
    ])


def checklist_form(keys: Sequence[str]) -> RolloutForm:
    return RolloutForm(_("Open a linked checklist"), [
        FormField("checklist", _("Checklist"), choices=[(key, key) for key in keys]),
    ])
