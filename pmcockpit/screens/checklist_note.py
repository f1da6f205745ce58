"""A small dialog asking for a step's note: why it failed or was skipped, or any remark.

It only collects the text; whether the note may be empty is the checklist's rule,
applied by the service when the screen saves it (an empty note for a failed step
is refused there, with the reason shown).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pmcockpit.core.i18n import _


class NoteDialog(ModalScreen[str | None]):
    """Dismissed with the note as typed (Enter), or None when cancelled (Escape)."""

    CSS_PATH = "checklist_note.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="checklist_note.cancel",
                tooltip=_("Close without saving anything")),
        # A modal hides the app's keys; ctrl+c still quits from here.
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="checklist_note.quit"),
    ]

    def __init__(self, title: str, question: str, note: str = "") -> None:
        super().__init__()
        self.dialog_title = title
        self.question = question
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog") as dialog:
            dialog.border_title = self.dialog_title
            dialog.border_subtitle = _("Enter to save · Escape to cancel")
            yield Static(self.question, id="note-question", markup=False)
            yield Input(self.note, placeholder=_("Type the note"), id="note-input")

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
