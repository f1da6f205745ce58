"""The dialog that sets the daily inspection's targets on this machine: the backup
folder and the mail server. Saved to the config file (its other lines kept) in a
worker; a refusal is shown in the dialog, which stays open with what was typed."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from pmcockpit.config import ConfigError
from pmcockpit.core.i18n import _
from pmcockpit.services.check_targets import TargetError, save_targets
from pmcockpit.services.workspace import Workspace


class CheckTargetsDialog(ModalScreen[str | None]):
    """Dismissed with the config file's path once saved, or None when cancelled."""

    CSS_PATH = "check_targets.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="check_targets.cancel",
                tooltip=_("Close without saving anything")),
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="check_targets.quit"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        settings = self.workspace.settings
        with Vertical(id="targets-dialog") as dialog:
            dialog.border_title = _("Set the backup folder and mail server")
            dialog.border_subtitle = _("Enter: next field, then save · Escape cancels")
            yield Static(_("The daily inspection checks that the backup job wrote a file "
                           "today and that the mail server answers. Saved in the config "
                           "file; a blank field is left as it is."), id="targets-intro")
            yield Label(_("Backup folder (or file) the backup job writes:"))
            yield Input(settings.backup_path or "",
                        placeholder=_("for example /var/backups/redmine"), id="targets-backup")
            yield Label(_("Mail server the tools send through:"))
            yield Input(settings.mail_host or "", placeholder=_("for example mail.example.org"),
                        id="targets-mail")
            yield Static(id="targets-status", markup=False)

    @on(Input.Submitted, "#targets-backup")
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#targets-mail", Input).focus()

    @on(Input.Submitted, "#targets-mail")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.say(_("Saving…"))
        self.save(self.query_one("#targets-backup", Input).value, event.value)

    def say(self, text: str) -> None:
        self.query_one("#targets-status", Static).update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="check-targets",
          description=_("Saving the backup folder and mail server"))
    def save(self, backup_path: str, mail_host: str) -> None:
        try:
            path = save_targets(self.workspace, backup_path, mail_host)
        except (TargetError, ConfigError) as error:
            self.app.call_from_thread(self.say, str(error))
            return
        except OSError as error:
            self.app.call_from_thread(self.say, _("Cannot write the config file: {error}")
                                      .format(error=error.strerror or error))
            return
        self.app.call_from_thread(self.dismiss, str(path))

    def action_cancel(self) -> None:
        self.dismiss(None)
