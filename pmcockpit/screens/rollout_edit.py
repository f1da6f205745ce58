"""What the Rollout screen's keys change: each key opens a small form for the
highlighted rollout, the rollout service applies it in a worker, and a refusal is
shown with its reason (nothing is saved then). The screen itself (board, detail,
report) is :mod:`pmcockpit.screens.rollout`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual import on, work
from textual.message import Message

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import Decision, Level, RolloutKind, WaveStatus
from pmcockpit.screens import rollout_forms as forms
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.screens.rollout_form import RolloutForm
from pmcockpit.services import rollout as service
from pmcockpit.services import rollout_entry as entry
from pmcockpit.services.checklist import RunDetail
from pmcockpit.services.rollout import RolloutRefused
from pmcockpit.services.rollout_checklists import linked_checklists, open_linked_checklist
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.rollout import RolloutDetail

Change = Callable[[Workspace], str]
"""Applies one change through the service and says what was done."""


def _noting(change: Callable[[Workspace], object], note: str) -> Change:
    def run(workspace: Workspace) -> str:
        change(workspace)
        return note

    return run


class RolloutChanged(Message):
    def __init__(self, note: str, select: str | None) -> None:
        super().__init__()
        self.note, self.select = note, select


class RolloutChangeRefused(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ChecklistOpened(Message):
    def __init__(self, detail: RunDetail) -> None:
        super().__init__()
        self.detail = detail


class RolloutEditing(LiveAreaScreen):
    """The Rollout screen's changes; the screen says which rollout is highlighted."""

    _today: date
    _connections: list[str]
    _groups: list[str]
    _select: str | None

    def current_view(self) -> RolloutDetail | None:
        raise NotImplementedError

    @work(thread=True, exit_on_error=False, group="rollout-change",
          description=_("Saving the rollout"))
    def apply(self, change: Change, select: str | None = None) -> None:
        try:
            note = change(self.workspace)
        except (RolloutRefused, LookupError, ValueError) as error:
            self.post_message(RolloutChangeRefused(str(error.args[0] if error.args else error)))
            return
        self.post_message(RolloutChanged(note, select))

    @on(RolloutChanged)
    def changed(self, message: RolloutChanged) -> None:
        self.notify(message.note, title=_("Rollout"))
        self._select = message.select
        self.load()

    @on(RolloutChangeRefused)
    def refused(self, message: RolloutChangeRefused) -> None:
        self.notify(message.reason, title=_("Refused"), severity="error", timeout=12)

    def _ask(self, form: RolloutForm | None, empty: str, note: str,
             then: Callable[[RolloutDetail, dict[str, str]], Callable[[Workspace], object]],
             ) -> None:
        """Show ``form`` for the highlighted rollout, then apply what ``then`` makes of it
        and say ``note``."""
        view = self.current_view()
        if view is None or form is None:
            self.notify(empty if view is not None else _("No rollout highlighted: press n."),
                        severity="warning")
            return
        chosen = view

        def answered(values: dict[str, str] | None) -> None:
            if values is not None:
                self.apply(_noting(then(chosen, values), note), chosen.name)

        self.app.push_screen(form, answered)

    def action_new(self) -> None:
        def answered(values: dict[str, str] | None) -> None:
            if values is None:
                return
            name, kind = values["name"].strip(), RolloutKind(values["kind"])
            connections = forms.chosen_connections(values)
            target = values["target"].strip() or None

            def create(workspace: Workspace) -> str:
                service.create_rollout(workspace, name, kind, self._today,
                                       connections=connections, target_version=target)
                return _("Started {name}.").format(name=name)

            self.apply(create, name)

        self.app.push_screen(forms.new_form(self._connections), answered)

    def action_advance(self) -> None:
        view = self.current_view()
        if view is None:
            return
        today, name = self._today, view.name

        def advance(workspace: Workspace) -> str:
            moved = service.advance(workspace, name, today)
            return _("Left {left}; now in {entered}.").format(
                left=moved.left, entered=moved.entered) if moved.entered else \
                _("Left {left}; every phase is done.").format(left=moved.left)

        self.apply(advance, name)

    def action_tick(self) -> None:
        view = self.current_view()
        self._ask(forms.tick_form(view) if view else None,
                  _("The current gate has no manual item: the others are measured."),
                  _("Ticked."),
                  lambda v, values: lambda w: service.tick_gate(
                      w, v.name, values["item"], values["evidence"]))

    def action_milestone(self) -> None:
        self._ask(forms.milestone_form(self._today), "", _("Milestone added."),
                  lambda v, values: lambda w: service.add_milestone(
                      w, v.name, values["title"], date.fromisoformat(values["due"].strip())))

    def action_change(self) -> None:
        self._ask(forms.change_form(), "", _("Change request recorded."),
                  lambda v, values: lambda w: service.raise_change(
                      w, v.name, values["title"], Level(values["impact"]),
                      Level(values["priority"])))

    def action_decide(self) -> None:
        view = self.current_view()
        self._ask(forms.decide_form(view) if view else None,
                  _("No change request awaits a decision."),
                  _("Decision recorded."),
                  lambda v, values: lambda w: service.decide_change(
                      w, v.name, int(values["change"]), Decision(values["decision"]),
                      values["reason"]))

    def action_wave(self) -> None:
        view = self.current_view()
        self._ask(forms.wave_form(view) if view else None, _("This rollout has no waves."),
                  _("Wave marked."),
                  lambda v, values: lambda w: service.set_wave_status(
                      w, v.name, values["wave"], WaveStatus(values["status"]),
                      go_live=date.fromisoformat(values["go_live"].strip())
                      if values["go_live"].strip() else None))

    def action_rollback(self) -> None:
        view = self.current_view()
        self._ask(forms.rollback_form(view) if view else None, "",
                  _("Rollback plan saved."),
                  lambda v, values: lambda w: service.set_rollback_plan(
                      w, v.name, values["plan"]))

    def action_version(self) -> None:
        view = self.current_view()
        self._ask(forms.version_form(view) if view else None, "",
                  _("Version recorded."),
                  lambda v, values: lambda w: service.set_version(
                      w, v.name, values["version"]))


    def action_add_wave(self) -> None:
        self._ask(forms.add_wave_form(self._today), "", _("Wave added."),
                  lambda v, values: lambda w: service.add_wave(
                      w, v.name, values["name"].strip(),
                      go_live=entry.day(values["go_live"], _("Go-live date")),
                      teams=entry.teams(values["teams"])))

    def action_add_team(self) -> None:
        view = self.current_view()
        self._ask(forms.team_form(view, self._groups) if view else None,
                  _("Add a wave first (W): a team joins a wave."), _("Team added."),
                  lambda v, values: lambda w: service.add_team(
                      w, v.name, values["wave"], values["team"],
                      forms.chosen_group(values),
                      entry.count(values["expected"], _("People expected"))))

    def action_risk(self) -> None:
        self._ask(forms.risk_form(), "", _("Risk recorded."),
                  lambda v, values: lambda w: service.add_risk(
                      w, v.name, values["title"], Level(values["impact"]),
                      values["mitigation"].strip()))

    def action_training(self) -> None:
        view = self.current_view()
        self._ask(forms.training_form(view, self._today) if view else None, "",
                  _("Training session recorded."),
                  lambda v, values: lambda w: service.add_training(
                      w, v.name, values["team"],
                      entry.day(values["held_on"], _("Held on"), required=True) or self._today,
                      entry.count(values["invited"], _("Invited"), required=True) or 0,
                      entry.count(values["attended"], _("Attended"), required=True) or 0))

    def action_checklist(self) -> None:
        """Open the highlighted upgrade's pre- or post-upgrade checklist run."""
        view = self.current_view()
        if view is None:
            return
        name, now = view.name, self.clock()

        def open_keys(workspace: Workspace) -> list[str]:
            return linked_checklists(workspace, name, now)

        self.choose_checklist(name, open_keys)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollout-checklist",
          description=_("Opening the checklist"))
    def choose_checklist(self, name: str,
                         keys: Callable[[Workspace], list[str]]) -> None:
        found = keys(self.workspace)
        if not found:
            self.post_message(RolloutChangeRefused(_(
                "{name} links no checklist: its phase plan has no item with "
                "check = \"checklist\"").format(name=name)))
            return
        self.app.call_from_thread(self._pick_checklist, name, found)

    def _pick_checklist(self, name: str, keys: list[str]) -> None:
        def answered(values: dict[str, str] | None) -> None:
            if values is not None:
                self.open_checklist(name, values["checklist"])

        if len(keys) == 1:
            self.open_checklist(name, keys[0])
        else:
            self.app.push_screen(forms.checklist_form(keys), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollout-checklist",
          description=_("Opening the checklist"))
    def open_checklist(self, name: str, key: str) -> None:
        try:
            detail = open_linked_checklist(self.workspace, name, key, self.clock())
        except (RolloutRefused, LookupError) as error:
            self.post_message(RolloutChangeRefused(str(error.args[0] if error.args else error)))
            return
        self.post_message(ChecklistOpened(detail))

    @on(ChecklistOpened)
    def checklist_opened(self, message: ChecklistOpened) -> None:
        if self.app.screen is self:
            self.app.push_screen(ChecklistRunScreen(self.workspace, message.detail,
                                                    clock=self.clock))
