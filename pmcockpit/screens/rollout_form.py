"""A small form for the Rollout screen: a few text fields and choices, then Enter.

It only collects what was typed and chosen; the rollout service decides whether
it is acceptable (a decision without a reason, a gate item without evidence) and
the screen shows its refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from pmcockpit.core.i18n import _


@dataclass(frozen=True, slots=True)
class FormField:
    id: str
    label: str
    value: str = ""
    choices: Sequence[tuple[str, str]] = field(default_factory=tuple)
    """(label, value) pairs: a choice instead of a text field; the first is chosen."""
    placeholder: str = ""


class RolloutForm(ModalScreen[dict[str, str] | None]):
    """Dismissed with every field's value by id (Enter in a text field), or None (Escape)."""

    CSS_PATH = "rollout_form.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="rollout_form.cancel",
                tooltip=_("Close without saving anything")),
        Binding("ctrl+s", "save", _("Save"), id="rollout_form.save",
                tooltip=_("Save the form")),
        Binding("ctrl+c", "app.quit", _("Quit"), show=False, id="rollout_form.quit"),
    ]

    def __init__(self, title: str, fields: Sequence[FormField]) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)

    def compose(self) -> ComposeResult:
        with Vertical(id="rollout-form") as form:
            form.border_title = self.form_title
            form.border_subtitle = _("Ctrl+S to save · Escape to cancel") \
                if any(item.choices for item in self.fields) \
                else _("Enter to save · Escape to cancel")
            for item in self.fields:
                yield Label(item.label, classes="form-label", markup=False)
                if item.choices:
                    yield Select(list(item.choices), value=item.value or item.choices[0][1],
                                 allow_blank=False, id=f"field-{item.id}")
                else:
                    yield Input(item.value, placeholder=item.placeholder, id=f"field-{item.id}")

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for item in self.fields:
            widget = self.query_one(f"#field-{item.id}")
            if isinstance(widget, Input):
                found[item.id] = widget.value
            elif isinstance(widget, Select):
                found[item.id] = str(widget.value)
        return found

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)
