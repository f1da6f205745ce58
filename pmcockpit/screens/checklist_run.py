"""One checklist run: its steps, the highlighted step's guidance and evidence, and the keys
that settle them.

Space ticks a manual step off (and back); ``f`` and ``x`` fail or skip a step with
a note, ``d`` marks any step done with a note, ``n`` writes a note; ``r`` measures
the automated steps in an async worker, each row updating as its result arrives.
The rules (which marks need a note, when the run is complete) are the service's:
a refusal is shown with its reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState

from pmcockpit.core.checklist import RunStep, StepState
from pmcockpit.core.i18n import N_, _
from pmcockpit.messages import (
    ChecksFinished,
    ChecksProgressed,
    RunLoaded,
    StepRefused,
)
from pmcockpit.screens.base import Clock, LiveAreaScreen
from pmcockpit.screens.check_targets import CheckTargetsDialog
from pmcockpit.screens.checklist_history import ChecklistHistoryScreen
from pmcockpit.screens.checklist_note import NoteDialog
from pmcockpit.services.check_targets import unset_targets
from pmcockpit.services.checklist import (
    RunDetail,
    StepProgress,
    add_note,
    load_run,
    mark_step,
    run_automated,
    toggle_step,
)
from pmcockpit.services.workspace import Workspace
from pmcockpit.widgets.checklist_items import (
    automated_count,
    check_cell,
    checks_done_text,
    checks_idle_text,
    checks_progress_text,
    cut,
    local_now,
    run_lead,
    step_cell,
    step_detail,
    step_kind,
    step_summary,
)
from pmcockpit.widgets.row_table import RowTable

CHECKS_GROUP = "checklist-checks"
STATE_WIDTH = 9
"""Fits "– skipped"."""
KIND_WIDTH = 4
TITLE_WIDTH = 40
EVIDENCE_WIDTH = 15
"""At 80 columns; a wider terminal gives the rest to the titles and the evidence."""

HINTED_KEYS = ("checklist_run.fail", "checklist_run.skip", "checklist_run.done",
               "checklist_run.history", "checklist_run.back")
"""Keys off the footer (it must fit 80 columns), named under the step's detail instead."""

# Marked with N_ and translated when asked: the table is built at import.
_QUESTIONS = {
    StepState.FAILED: (N_("Failed"), N_("What went wrong, and what was done about it? "
                                        "(required)")),
    StepState.SKIPPED: (N_("Skipped"), N_("Why is this step skipped this time? (required)")),
    StepState.DONE: (N_("Done by hand"), N_("How was it done or checked? (required for an "
                                            "automated step)")),
}


class ChecklistRunScreen(LiveAreaScreen):
    CSS_PATH = "checklist_run.tcss"
    AUTO_FOCUS = "#run-steps"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_step", _("Done"), id="checklist_run.toggle",
                tooltip=_("Tick the highlighted manual step off, or back to to-do")),
        Binding("f", "mark('failed')", _("Failed"), show=False, id="checklist_run.fail",
                tooltip=_("Mark the step failed, with a note on what was done (required)")),
        Binding("x", "mark('skipped')", _("Skip"), show=False, id="checklist_run.skip",
                tooltip=_("Skip the step this time, with a note saying why (required)")),
        Binding("d", "mark('done')", _("Done with note"), show=False, id="checklist_run.done",
                tooltip=_("Mark any step done with a note, e.g. an automated one checked by "
                          "hand")),
        Binding("n", "note", _("Note"), id="checklist_run.note",
                tooltip=_("Write the step's note; on a failed step, what was done about it")),
        # Replaces the areas' "r" (refresh): here the run is read again whenever shown.
        Binding("r", "run_checks", _("Checks"), id="checklist_run.checks",
                tooltip=_("Measure the automated steps now and keep the results as evidence")),
        Binding("h", "history", _("History"), show=False, id="checklist_run.history",
                tooltip=_("Past runs of this checklist, with its on-time rate")),
        Binding("escape", "back", _("Back"), show=False, id="checklist_run.back",
                tooltip=_("Back to the list of checklists")),
        # Named in the detail of a step whose check has no target on this machine yet.
        Binding("c", "set_targets", _("Backup folder and mail server"), show=False,
                id="checklist_run.targets",
                tooltip=_("Set the backup folder and the mail server the checks look at")),
    ]

    def __init__(self, workspace: Workspace, detail: RunDetail, *, clock: Clock) -> None:
        super().__init__(workspace, clock=clock, title=_("Checklist"))
        self.detail = detail
        self._widths = (TITLE_WIDTH, EVIDENCE_WIDTH)
        """The title's and the evidence's columns, as wide as the terminal allows."""
        self._in_order = threading.Lock()
        """Held by each worker from its database call to its message, so the messages
        arrive in the order the database changed: a read racing a save (back from the
        note dialog, the screen reads the run again) cannot show the older state last."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="run-lead")
        with Horizontal(id="run-checks"):
            yield Static(id="run-checks-text")
            yield ProgressBar(id="run-checks-bar", show_eta=False)
        yield RowTable(id="run-steps", cursor_type="row")
        with VerticalScroll(id="run-detail-box", can_focus=False):
            yield Static(id="run-detail")

    def on_mount(self) -> None:
        self._add_columns()
        self.query_one("#run-checks-bar").display = False
        self.query_one("#run-checks-text", Static).update(checks_idle_text(self.detail))
        self.show_detail(self.detail)
        self.call_after_refresh(self._name_hidden_keys)

    def _name_hidden_keys(self) -> None:
        # From the bindings as remapped by the user's keymap, so the hint never lies.
        # Translators: a key and what it does, "f failed".
        named = {binding.id: _("{key} {action}").format(key=self.app.get_key_display(binding),
                                                         action=binding.description)
                 for node, binding, _enabled, _tooltip in self.active_bindings.values()
                 if node is self and binding.id in HINTED_KEYS}
        hint = " · ".join(named[key] for key in HINTED_KEYS if key in named)
        self.query_one("#run-detail-box").border_subtitle = hint.lower()

    def _add_columns(self) -> None:
        table = self.query_one(DataTable)
        title_width, evidence_width = self._widths
        # Styled cells are not measured by the table: their columns get fixed widths.
        table.add_column(_("State"), width=STATE_WIDTH, key="state")
        table.add_column(_("Step"), width=title_width, key="title")
        # Translators: the column saying whether a check or a person settles the step.
        table.add_column(_("How"), width=KIND_WIDTH, key="kind")
        table.add_column(_("Evidence/note"), width=evidence_width, key="evidence")

    def on_resize(self) -> None:
        spare = max(0, self.size.width - 80)
        widths = (TITLE_WIDTH + spare // 2, EVIDENCE_WIDTH + spare - spare // 2)
        if widths != self._widths:
            self._widths = widths
            table = self.query_one(DataTable)
            row = table.cursor_row
            table.clear(columns=True)
            self._add_columns()
            self.show_detail(self.detail)
            table.move_cursor(row=row)

    # --- reading and showing --------------------------------------------------------------

    def load(self) -> None:
        self.read_run()

    @work(thread=True, exclusive=True, exit_on_error=False, group="checklist-run",
          description=N_("Reading the checklist run"))
    def read_run(self) -> None:
        with self._in_order:
            self.post_message(RunLoaded(load_run(self.workspace, self.detail.id)))

    @on(RunLoaded)
    def run_loaded(self, message: RunLoaded) -> None:
        self.show_detail(message.detail)

    def show_detail(self, detail: RunDetail) -> None:
        self.detail = detail
        now = local_now(self.clock)
        self.query_one("#run-lead", Static).update(run_lead(detail, now))
        table = self.query_one(DataTable)
        title_width, evidence_width = self._widths
        keys = [step.step_id for step in detail.run.steps]
        with self.app.batch_update():
            if [row.value for row in table.rows] != keys:
                table.clear()
                for step in detail.run.steps:
                    table.add_row(step_cell(step), Text(cut(step.title, title_width)),
                                  step_kind(step), step_summary(step, evidence_width),
                                  key=step.step_id)
            else:
                for step in detail.run.steps:
                    table.update_cell(step.step_id, "state", step_cell(step))
                    table.update_cell(step.step_id, "evidence",
                                      step_summary(step, evidence_width))
        self._show_step_detail()

    @on(DataTable.RowHighlighted)
    def _show_step_detail(self) -> None:
        step = self._highlighted_step()
        text = Content("") if step is None else step_detail(self.detail, step,
                                                             local_now(self.clock))
        if step is not None and self._lacks_target(step.step_id):
            key = self.app.get_key_display(self._binding("checklist_run.targets"))
            text = Content.assemble(text, "\n\n", Content.styled(
                _("Not set on this machine yet: press {key} to set the backup folder and "
                  "mail server.").format(key=key), "bold"))
        self.query_one("#run-detail", Static).update(text)

    def _binding(self, binding_id: str) -> Binding:
        return next(binding for binding in self.BINDINGS
                    if isinstance(binding, Binding) and binding.id == binding_id)

    def _lacks_target(self, step_id: str) -> bool:
        """Whether the step's check reads a setting this machine does not have."""
        template = self.detail.template
        steps = [step for step in template.steps if step.id == step_id] if template else []
        return bool(unset_targets(steps, self.workspace))

    def copy_target(self) -> tuple[str, str] | None:
        """The step's evidence (what its check found) or note, else its title."""
        step = self._highlighted_step()
        if step is None:
            return None
        if step.result is not None:
            return _("evidence"), f"{step.result.value}: {step.result.message}"
        if step.note.strip():
            return _("note"), step.note
        return _("step"), step.title

    def _highlighted_step(self) -> RunStep | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.detail.run.step(str(row_key.value))

    # --- marking steps ----------------------------------------------------------------------

    def action_toggle_step(self) -> None:
        step = self._highlighted_step()
        if step is not None:
            self.save(partial(toggle_step, self.workspace, self.detail.id, step.step_id,
                              local_now(self.clock)))

    def action_mark(self, state: str) -> None:
        step = self._highlighted_step()
        if step is None:
            return
        marked = StepState(state)
        heading, question = _QUESTIONS[marked]

        def save_with(note: str | None) -> None:
            if note is not None:
                self.save(partial(mark_step, self.workspace, self.detail.id, step.step_id,
                                  marked, note, local_now(self.clock)))

        # Translators: the dialog's title, "Failed: Check the backups".
        title = _("{heading}: {step}").format(heading=_(heading), step=step.title)
        self.app.push_screen(NoteDialog(title, _(question), step.note), save_with)

    def action_note(self) -> None:
        step = self._highlighted_step()
        if step is None:
            return

        def save_with(note: str | None) -> None:
            if note is not None:
                self.save(partial(add_note, self.workspace, self.detail.id, step.step_id,
                                  note, local_now(self.clock)))

        self.app.push_screen(NoteDialog(_("Note: {step}").format(step=step.title),
                                        _("The note for this step:"), step.note), save_with)

    # Not exclusive: a newer save must not cancel an older one before it has run.
    @work(thread=True, exclusive=False, exit_on_error=False, group="checklist-step",
          description=N_("Saving the step"))
    def save(self, change: Callable[[], RunDetail]) -> None:
        with self._in_order:
            try:
                detail = change()
            except ValueError as refusal:  # the checklist's rules said no, and why
                self.post_message(StepRefused(str(refusal)))
                return
            self.post_message(RunLoaded(detail))

    @on(StepRefused)
    def step_refused(self, message: StepRefused) -> None:
        self.notify(message.reason, title=_("Not saved"), severity="warning", timeout=8,
                    markup=False)

    # --- the automated checks -----------------------------------------------------------

    def action_run_checks(self) -> None:
        if not automated_count(self.detail):
            self.notify(_("This checklist has no automated checks: every step is by hand."),
                        severity="warning")
            return
        if any(w.group == CHECKS_GROUP and not w.is_finished for w in self.workers):
            self.notify(_("The checks are already running."), severity="warning")
            return
        bar = self.query_one("#run-checks-bar", ProgressBar)
        bar.update(total=None, progress=0)  # indeterminate until the first check starts
        bar.display = True
        self.run_checks()

    @work(exclusive=True, exit_on_error=False, group=CHECKS_GROUP,
          description=N_("Running the automated checks"))
    async def run_checks(self) -> None:
        # Async: the checks talk to the tools; the service does its database work in threads.
        report = await run_automated(self.workspace, self.detail.id, self._checks_progressed,
                                     local_now(self.clock))
        self.post_message(ChecksFinished(report))

    def _checks_progressed(self, progress: StepProgress) -> None:
        self.post_message(ChecksProgressed(progress))

    @on(ChecksProgressed)
    def show_checks_progress(self, message: ChecksProgressed) -> None:
        progress = message.progress
        bar = self.query_one("#run-checks-bar", ProgressBar)
        bar.update(total=progress.total, progress=progress.index)
        self.query_one("#run-checks-text", Static).update(checks_progress_text(progress))
        self.query_one(DataTable).update_cell(progress.step_id, "state",
                                              check_cell(progress.result))

    @on(ChecksFinished)
    def checks_finished(self, message: ChecksFinished) -> None:
        report = message.report
        self.query_one("#run-checks-bar").display = False
        self.query_one("#run-checks-text", Static).update(
            checks_done_text(report.outcomes, local_now(self.clock)))
        self.show_detail(report.detail)
        self.load()  # a step marked by hand while the checks ran is in the database

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == CHECKS_GROUP and event.state in (WorkerState.ERROR,
                                                                  WorkerState.CANCELLED):
            self.query_one("#run-checks-bar").display = False
            self.query_one("#run-checks-text", Static).update(checks_idle_text(self.detail))
            self.load()  # the checks measured before the failure are stored: show them

    # --- elsewhere -----------------------------------------------------------------------------

    def action_history(self) -> None:
        template = self.detail.run.template_key
        self.app.push_screen(ChecklistHistoryScreen(self.workspace, template, self.detail.name,
                                                    clock=self.clock))

    def action_back(self) -> None:
        self.dismiss()

    def action_set_targets(self) -> None:
        def saved(path: str | None) -> None:
            if path is not None:
                self.notify(_("Saved in {path}: press r to run the checks with them.")
                            .format(path=path), markup=False)
                self._show_step_detail()

        self.app.push_screen(CheckTargetsDialog(self.workspace), saved)
