"""The dialog that arms write mode for a while in a read-only installation (key ``w``).

It asks how long and why; the arming is recorded in the audit log (a local event) by a
worker, and the dialog closes with the time it runs until. Enter in the reason arms.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from pmcockpit.core.i18n import N_, _

if TYPE_CHECKING:
    from pmcockpit.services.workspace import Workspace

DEFAULT_DURATION = "30m"


class WriteModeDialog(ModalScreen[datetime | None]):
    """Dismissed with the end of write mode once armed and audited, or None (Escape)."""

    CSS_PATH = "write_mode.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="write_mode.cancel",
                tooltip=_("Stay read-only")),
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="write_mode.quit"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        with Vertical(id="write-dialog") as dialog:
            dialog.border_title = _("Arm write mode")
            dialog.border_subtitle = _("Enter to arm · Escape to stay read-only")
            yield Static(_("pmcockpit is read-only. For how long may it change the tools, "
                           "and why? The audit log keeps both; it drops back by itself."),
                         id="write-question")
            yield Input(DEFAULT_DURATION, placeholder=_("How long: 30m, 2h"),
                        id="write-duration")
            yield Input(placeholder=_("Why? Required, kept in the audit log"),
                        id="write-reason")
            yield Static(id="write-status")

    def on_mount(self) -> None:
        self.query_one("#write-reason", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        from pmcockpit.services.write_mode import WriteModeError, parse_duration

        duration_text = self.query_one("#write-duration", Input).value
        reason = self.query_one("#write-reason", Input).value.strip()
        try:
            duration = parse_duration(duration_text)
        except WriteModeError as error:
            self._say(str(error))
            self.query_one("#write-duration", Input).focus()
            return
        if not reason:
            self._say(_("Give a reason: the audit log keeps why write mode was armed."))
            self.query_one("#write-reason", Input).focus()
            return
        self.arm(duration.total_seconds(), reason)

    def _say(self, problem: str) -> None:
        self.query_one("#write-status", Static).update(Content.styled(problem, "$text-warning"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="write-mode",
          description=N_("Arming write mode"))
    def arm(self, seconds: float, reason: str) -> datetime | None:
        from datetime import timedelta

        from pmcockpit.services.write_mode import arm

        arm(self.workspace, timedelta(seconds=seconds), reason)
        return self.workspace.write_until

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "write-mode":
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._say(str(event.worker.error))

    def action_cancel(self) -> None:
        self.dismiss(None)
