"""The one way a screen changes a connected tool: preview, reason, confirm, run, results.

Give it the actions (one, or many for a bulk change) and push it::

    from pmcockpit.screens.action_dialog import ActionDialog

    def after(results: list[ActionResult] | None) -> None:
        ...  # None: cancelled, nothing ran; else one ActionResult per action, in order

    self.app.push_screen(ActionDialog(self.workspace, actions), after)

The callback is optional. The dialog also posts :class:`ActionDialog.Completed` to
the screen that opened it once anything ran, so that screen decides what to reload
(``@on(ActionDialog.Completed)``; ``message.connections`` names the tools touched,
whose synced state is now behind until their next sync: to catch up, post
``SyncRequested(sorted(message.connections))`` from ``pmcockpit.messages``).

What the user sees: each action's description and the calls it would make (a dry
run through :meth:`ActionRunner.preview`), or why it would be refused (read-only
mode, a capability the tool lacks, a missing parameter). A reason is asked for;
it is required when any action is destructive, and Run stays disabled until it is
given. Nothing runs on a single key: Run is never focused first, and a bulk
destructive change also asks for the number of actions to be typed. It then runs
in an async worker, each result arriving as it happens, and ends with a result per
item (done, failed or refused, with the error). Every run is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.services.actions import ActionResult, ActionRunner, Preview
from pmcockpit.services.workspace import Workspace
from pmcockpit.widgets.action_items import (
    preview_summary,
    preview_text,
    results_summary,
    results_text,
)

PREVIEW_REASON = _("(reason given in the dialog)")
"""Stands in for the reason during the dry run: the dialog asks for it afterwards."""

DialogResult = list[ActionResult] | None


class ActionDialog(ModalScreen[DialogResult]):
    """Preview, confirm and run ``actions``; dismissed with their results (None: cancelled)."""

    CSS_PATH = "action_dialog.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", _("Cancel or close"), id="action.close",
                tooltip=_("Before running: cancel, nothing changes. After: close")),
        # A modal hides the app's keys; ctrl+c still quits from here.
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="action.quit"),
    ]

    class Completed(Message):
        """Actions ran (some may have failed): the opening screen may want to reload."""

        def __init__(self, results: Sequence[ActionResult]) -> None:
            super().__init__()
            self.results = list(results)

        @property
        def connections(self) -> set[str]:
            """The tools that were changed: their synced state is behind until a sync."""
            return {result.action.connection for result in self.results if result.ok}

    class _Previewed(Message):
        def __init__(self, previews: list[Preview]) -> None:
            super().__init__()
            self.previews = previews

    class _ItemDone(Message):
        def __init__(self, result: ActionResult) -> None:
            super().__init__()
            self.result = result

    class _Finished(Message):
        pass

    def __init__(self, workspace: Workspace, actions: Sequence[Action], *,
                 title: str | None = None, undo_of: int | None = None) -> None:
        super().__init__()
        if not actions:
            raise ValueError("an ActionDialog needs at least one action")
        self.workspace = workspace
        self.actions = list(actions)
        self.dialog_title = title or self._default_title()
        self._title_given = title is not None
        self.undo_of = undo_of
        """The audit entry these actions reverse, recorded with them."""
        self.previews: list[Preview] = []
        self.results: list[ActionResult] = []
        self.runner = ActionRunner(workspace)
        """One per dialog: the connection opened, the key read and the target read once
        for the dry run serve the run too."""

    def _default_title(self) -> str:
        titles = {action.title for action in self.actions}
        if len(titles) == 1:
            [title] = titles
            return title if len(self.actions) == 1 else _("{title} × {n}").format(
                title=title, n=f"{len(self.actions):,}")
        return ngettext("{n} action", "{n} actions", len(self.actions)).format(
            n=f"{len(self.actions):,}")

    @property
    def destructive(self) -> bool:
        return any(action.destructive for action in self.actions)

    @property
    def needs_count(self) -> bool:
        """A bulk destructive change: the user types how many, not just presses a button."""
        return self.destructive and len(self.actions) > 1

    def compose(self) -> ComposeResult:
        with Vertical(id="action-dialog") as dialog:
            dialog.border_title = self.dialog_title
            dialog.border_subtitle = _("Escape to cancel")
            yield Static(Content.styled(_("Preparing a dry run…"), "$text-muted"),
                         id="action-summary")
            with VerticalScroll(id="action-items"):
                yield Static(id="action-list")
            yield ProgressBar(total=len(self.actions), show_eta=False, id="action-progress")
            reason = self._shared_reason()
            yield Input(reason, placeholder=self._reason_prompt(), id="action-reason")
            if self.needs_count:
                yield Input(placeholder=_("Type {n} to confirm this bulk change").format(
                                n=len(self.actions)),
                            restrict=r"[0-9]*", id="action-count")
            yield Static(id="action-status")
            with Horizontal(id="action-buttons"):
                yield Button(_("Cancel"), id="action-cancel")
                yield Button(ngettext("Run {n} action", "Run {n} actions", len(self.actions))
                             .format(n=f"{len(self.actions):,}"), id="action-run",
                             variant="error" if self.destructive else "primary", disabled=True)
                yield Button(_("Close"), id="action-done", variant="primary")

    def _shared_reason(self) -> str:
        """The reason the actions came with (e.g. "undo: …"), when they share one."""
        reasons = {action.reason for action in self.actions}
        return reasons.pop() if len(reasons) == 1 else ""

    def _reason_prompt(self) -> str:
        if self.destructive:
            return _("Why? Required: this is destructive, the audit log keeps it")
        return _("Why? Optional, kept in the audit log")

    async def on_unmount(self) -> None:
        await self.runner.aclose()

    def on_mount(self) -> None:
        self.set_class(True, "-previewing")
        self.query_one("#action-reason", Input).focus()
        self.preview()

    # --- preview ------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="action-preview",
          description=N_("Preparing the dry run"))
    async def preview(self) -> None:
        # The reason is asked for after the preview; a stand-in keeps validation quiet.
        stand_ins = [replace(a, reason=a.reason or PREVIEW_REASON) for a in self.actions]
        previews = await self.runner.preview(stand_ins)
        self.post_message(self._Previewed(previews))

    @on(_Previewed)
    def show_preview(self, message: _Previewed) -> None:
        self.previews = message.previews
        # The dry run learnt each connection's kind: name the actions as those tools do.
        self.actions = [a if a.tool else replace(a, tool=p.action.tool)
                        for a, p in zip(self.actions, self.previews, strict=True)]
        if not self._title_given:
            self.dialog_title = self._default_title()
            self.query_one("#action-dialog", Vertical).border_title = self.dialog_title
        self.set_class(False, "-previewing")
        self.set_class(True, "-ready")
        self.query_one("#action-summary", Static).update(preview_summary(self.previews))
        runnable = sum(p.refusal is None for p in self.previews)
        run = self.query_one("#action-run", Button)
        run.display = runnable > 0  # "Run 0 actions" is no button
        run.label = ngettext("Run {n} action", "Run {n} actions", runnable).format(
            n=f"{runnable:,}")
        self.query_one("#action-list", Static).update(preview_text(self.previews))
        self._check_ready()

    # --- confirmation -------------------------------------------------------------------

    @on(Input.Changed)
    def inputs_changed(self) -> None:
        self._check_ready()

    @on(Input.Submitted)
    def enter_pressed(self, event: Input.Submitted) -> None:
        """Enter runs once everything is ready (the default, as the hint says); before that
        it moves on to the next field."""
        event.stop()
        if self._blocker() is None:
            self.run_pressed()
        else:
            self.focus_next()

    def _blocker(self) -> str | None:
        """Why Run is disabled now ("" before the preview and after the run); None: it may."""
        if not self.has_class("-ready"):
            return ""
        runnable = [p for p in self.previews if p.refusal is None]
        if not runnable:
            return _("Nothing can run: every action would be refused (see above).")
        if self.destructive and not self.query_one("#action-reason", Input).value.strip():
            return _("Give a reason to run: a destructive action needs one.")
        if self.needs_count and (self.query_one("#action-count", Input).value
                                 != str(len(self.actions))):
            return ngettext("Type {n} to confirm: this changes {n} object.",
                            "Type {n} to confirm: this changes {n} objects.",
                            len(self.actions)).format(n=len(self.actions))
        return None

    def _check_ready(self) -> None:
        blocker = self._blocker()
        ready = blocker is None
        self.query_one("#action-run", Button).disabled = not ready
        status = self.query_one("#action-status", Static)
        if ready:
            refused = sum(p.refusal is not None for p in self.previews)
            text = _("Ready: Enter runs ({n} will be refused and logged).").format(
                n=refused) if refused else _("Ready: Enter runs.")
            status.update(Content.styled(text, "$text-success"))
        else:
            status.update(Content.styled(blocker or "", "$text-warning"))

    # --- running ------------------------------------------------------------------------

    @on(Button.Pressed, "#action-run")
    def run_pressed(self) -> None:
        if self._blocker() is not None:
            return
        reason = self.query_one("#action-reason", Input).value.strip()
        to_run = [replace(action, reason=reason) for action in self.actions]
        self.actions = to_run
        self.set_class(False, "-ready")
        self.set_class(True, "-running")
        self.query_one(ProgressBar).update(progress=0)
        self.query_one("#action-dialog").border_subtitle = _("Running: wait for every result")
        self._show_results()
        self.run_actions(to_run)

    @work(exclusive=True, exit_on_error=False, group="action-run", description=N_("Running"))
    async def run_actions(self, actions: list[Action]) -> None:
        def item_done(_index: int, _total: int, result: ActionResult) -> None:
            self.post_message(self._ItemDone(result))

        # Confirmed: the user gave the reason and pressed Run (and typed the count).
        await self.runner.run(actions, confirmed=True, on_result=item_done,
                              undo_of=self.undo_of)
        self.post_message(self._Finished())

    @on(_ItemDone)
    def item_done(self, message: _ItemDone) -> None:
        self.results.append(message.result)
        self.query_one(ProgressBar).advance(1)
        self._show_results()

    @on(_Finished)
    def finished(self) -> None:
        self._end_run()

    def _end_run(self, problem: str | None = None) -> None:
        self.set_class(False, "-running")
        self.set_class(True, "-done")
        self.query_one("#action-dialog").border_subtitle = _("Escape or Close to close")
        self._show_results()
        status = Content.styled(problem, "$text-error") if problem else Content.styled(
            _("Finished: each result is in the audit log (key 7)."), "$text-muted")
        self.query_one("#action-status", Static).update(status)
        self.query_one("#action-done", Button).focus()

    def _show_results(self) -> None:
        self.query_one("#action-summary", Static).update(
            results_summary(self.results, len(self.actions)))
        self.query_one("#action-list", Static).update(results_text(self.actions, self.results))
        if not self.has_class("-done"):
            self.query_one("#action-status", Static).update(
                Content.styled(_("Running… each result shows as it arrives."), "$text-muted"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failure of pmcockpit itself (not of a tool) still leaves a usable dialog."""
        if event.state != WorkerState.ERROR:
            return
        self.log.error(event.worker, event.worker.error)
        if event.worker.group == "action-run":
            self._end_run(_("Stopped: {error}. The results above are in the audit log; the "
                            "rest did not run.").format(error=event.worker.error))
            return
        self.set_class(False, "-previewing")
        self.query_one("#action-summary", Static).update(
            Content.styled(_("The dry run failed: {error}").format(error=event.worker.error),
                           "$text-error"))

    # --- closing ------------------------------------------------------------------------

    @on(Button.Pressed, "#action-cancel")
    @on(Button.Pressed, "#action-done")
    def close_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.has_class("-running"):
            self.notify(_("Actions are running: wait for them to finish."), severity="warning")
            return
        if not self.results:
            self.dismiss(None)
            return
        opener = self._opener()
        if opener is not None:
            opener.post_message(self.Completed(self.results))
        self.dismiss(self.results)

    def _opener(self) -> Screen[object] | None:
        """The screen under this dialog: the one that opened it."""
        stack = self.app.screen_stack
        place = stack.index(self) if self in stack else 0
        return stack[place - 1] if place > 0 else None
