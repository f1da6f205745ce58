"""The push dialog (`p` on a request recorded here): which tool, and in which project,
the projects completed from the tool's synced names and the queue's own project filled
in. It only collects the answers; the service creates the ticket."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, Static

from pmcockpit.core.i18n import _
from pmcockpit.services.ticket_push import PushTarget, push_targets
from pmcockpit.services.workspace import Workspace


class PushDialog(ModalScreen[tuple[str, str] | None]):
    """Dismissed with (connection, project) on Enter in the project field, or None."""

    CSS_PATH = "queue_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="queue_push.cancel",
                tooltip=_("Close without pushing anything")),
    ]

    def __init__(self, workspace: Workspace, key: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.key = key
        self.targets: dict[str, PushTarget] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="push-dialog") as dialog:
            dialog.border_title = _("Push {key} to a tool").format(key=self.key)
            dialog.border_subtitle = _("Enter in the project to push · Escape to cancel")
            yield Select[str]([], prompt=_("Which tool"), id="push-tool", compact=True)
            yield Input(placeholder=_("Project: identifier, key, path, name or id"),
                        id="push-project", compact=True)
            yield Static(_("It becomes the tool's ticket, linked to this request, through "
                           "the audited action path."), classes="hint")

    def on_mount(self) -> None:
        self.read_targets()

    @work(thread=True, exclusive=True, exit_on_error=False, group="push-targets",
          description=_("Reading the tools"))
    def read_targets(self) -> None:
        targets = push_targets(self.workspace)
        self.app.call_from_thread(self._show_targets, targets)

    def _show_targets(self, targets: list[PushTarget]) -> None:
        self.targets = {t.connection: t for t in targets}
        tools = self.query_one("#push-tool", Select)
        tools.set_options([(f"{t.connection} ({t.kind})", t.connection) for t in targets])
        if len(targets) == 1:
            tools.value = targets[0].connection

    @on(Select.Changed, "#push-tool")
    def _tool_changed(self, event: Select.Changed) -> None:
        target = self.targets.get(str(event.value))
        project = self.query_one("#push-project", Input)
        if target is None:
            return
        project.value = target.project
        project.suggester = (SuggestFromList(target.projects, case_sensitive=False)
                             if target.projects else None)
        project.focus()

    @on(Input.Submitted, "#push-project")
    def done(self, event: Input.Submitted) -> None:
        event.stop()
        tool = self.query_one("#push-tool", Select).value
        if not isinstance(tool, str):
            self.notify(_("Choose the tool first."), severity="warning")
            return
        self.dismiss((tool, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
