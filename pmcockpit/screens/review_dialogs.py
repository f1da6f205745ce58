"""The review's small dialogs: a decision with its justification (a recent one can be
picked), the choice of what a downgrade removes, a confirmation, and the pick of a
single action on one account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import _


@dataclass(frozen=True, slots=True)
class Target:
    """Something a downgrade can remove from one account."""

    label: str
    item_id: int
    target: str
    """``admin``, ``membership:ID`` or ``group:ID``."""


@dataclass(frozen=True, slots=True)
class DecisionChoice:
    justification: str
    target: Target | None = None


_CLOSE: list[BindingType] = [
    Binding("escape", "cancel", _("Cancel"), id="review-dialog.cancel",
            tooltip=_("Close without changing anything")),
]


class DecisionDialog(ModalScreen[DecisionChoice | None]):
    """Ask the justification (required) and, for a downgrade, what to remove."""

    CSS_PATH = "review_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, title: str, *, reasons: Sequence[str],
                 targets: Sequence[Target] = ()) -> None:
        super().__init__()
        self.dialog_title = title
        self.reasons = list(reasons)
        self.targets = list(targets)

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-dialog") as box:
            box.border_title = self.dialog_title
            box.border_subtitle = _("Escape to cancel")
            if self.targets:
                yield Static(_("What to remove:"), classes="review-dialog-label")
                yield OptionList(*[Option(t.label, id=str(i))
                                   for i, t in enumerate(self.targets)], id="review-targets")
            yield Input(placeholder=_("Justification (required), kept as evidence"),
                        id="review-justification")
            if self.reasons:
                yield Static(_("Recent reasons (Enter picks one):"),
                             classes="review-dialog-label")
                yield OptionList(*self.reasons, id="review-reasons")
            yield Static(id="review-dialog-status")
            with Horizontal(classes="review-dialog-buttons"):
                yield Button(_("Cancel"), id="review-dialog-cancel")
                yield Button(_("Decide"), id="review-dialog-ok", variant="primary")

    def on_mount(self) -> None:
        if self.targets:
            targets = self.query_one("#review-targets", OptionList)
            targets.highlighted = 0
            targets.focus()
        else:
            self.query_one("#review-justification", Input).focus()

    @on(OptionList.OptionSelected, "#review-reasons")
    def reason_picked(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#review-justification", Input).value = str(event.option.prompt)
        self.query_one("#review-dialog-ok", Button).focus()

    @on(OptionList.OptionSelected, "#review-targets")
    def target_picked(self) -> None:
        self.query_one("#review-justification", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#review-dialog-ok")
    def decide(self) -> None:
        justification = self.query_one("#review-justification", Input).value.strip()
        if not justification:
            self.query_one("#review-dialog-status", Static).update(Content.styled(
                _("A justification is required for every decision."), "$text-warning"))
            return
        target = None
        if self.targets:
            index = self.query_one("#review-targets", OptionList).highlighted or 0
            target = self.targets[index]
        self.dismiss(DecisionChoice(justification, target))

    @on(Button.Pressed, "#review-dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A question with Cancel (focused first) and a confirming button."""

    CSS_PATH = "review_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, title: str, question: str, confirm: str) -> None:
        super().__init__()
        self.dialog_title, self.question, self.confirm = title, question, confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-dialog") as box:
            box.border_title = self.dialog_title
            yield Static(self.question, classes="review-dialog-label")
            with Horizontal(classes="review-dialog-buttons"):
                yield Button(_("Cancel"), id="review-dialog-cancel")
                yield Button(self.confirm, id="review-dialog-ok", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#review-dialog-cancel", Button).focus()

    @on(Button.Pressed, "#review-dialog-ok")
    def confirmed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#review-dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ActionPicker(ModalScreen[Action | None]):
    """One of the single actions on a person's accounts (lock, unlock, remove a
    membership or a group); the action dialog then previews and confirms it."""

    CSS_PATH = "review_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, title: str, choices: Sequence[tuple[str, Action]]) -> None:
        super().__init__()
        self.dialog_title = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-dialog") as box:
            box.border_title = self.dialog_title
            box.border_subtitle = _("Enter picks, Escape cancels")
            yield OptionList(*[Option(label, id=str(i))
                               for i, (label, _action) in enumerate(self.choices)],
                             id="review-actions")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """One line of text (a file path, a person), with what it is for and a status line
    the caller can use to say what is wrong without closing."""

    CSS_PATH = "review_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = _CLOSE

    def __init__(self, title: str, question: str, *, placeholder: str, confirm: str,
                 value: str = "") -> None:
        super().__init__()
        self.dialog_title, self.question = title, question
        self.placeholder, self.confirm, self.value = placeholder, confirm, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-dialog") as box:
            box.border_title = self.dialog_title
            box.border_subtitle = _("Escape to cancel")
            yield Static(self.question, classes="review-dialog-label")
            yield Input(self.value, placeholder=self.placeholder, id="review-text")
            yield Static(id="review-dialog-status")
            with Horizontal(classes="review-dialog-buttons"):
                yield Button(_("Cancel"), id="review-dialog-cancel")
                yield Button(self.confirm, id="review-dialog-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#review-text", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#review-dialog-ok")
    def done(self) -> None:
        text = self.query_one("#review-text", Input).value.strip()
        if not text:
            self.query_one("#review-dialog-status", Static).update(Content.styled(
                _("Type something first, or Escape to cancel."), "$text-warning"))
            return
        self.dismiss(text)

    @on(Button.Pressed, "#review-dialog-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
