"""A bordered panel of the home view: a lead line and a short list, opening its area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from pmcockpit.core.i18n import _


class SummaryPanel(Vertical, can_focus=True):
    """One topic of the home view. Enter or a click asks to open the area behind it."""

    DEFAULT_CSS = """
    SummaryPanel {
        height: 1fr;
        border: round $foreground 40%;
        border-title-color: $text-primary;
        border-title-style: bold;
        padding: 0 1;
        &:focus {
            /* Heavy lines: the focus shows without colour too (NO_COLOR). */
            border: heavy $primary;
            background-tint: $foreground 4%;
        }
        & > .lead {
            width: 1fr;
        }
        & > .rows {
            width: 1fr;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", _("Open"), show=False, id="panel.open",
                tooltip=_("Open the screen behind this panel")),
    ]

    class Opened(Message):
        """The user asked to open the area behind the panel."""

        def __init__(self, panel: SummaryPanel, target: str) -> None:
            super().__init__()
            self.panel = panel
            self.target = target
            """The mode of the area to open."""

        @property
        def control(self) -> SummaryPanel:
            return self.panel

    def __init__(self, title: str, *, target: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.border_title = title
        self.target = target

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(_("Loading…"), "$text-muted"), classes="lead")
        yield Static(classes="rows")

    def show(self, lead: Content, rows: Iterable[Content] = ()) -> None:
        """Replace the panel's text: a lead that wraps, then rows cut to one line each."""
        self.query_one(".lead", Static).update(lead)
        rows_text = Content("\n").join(rows)
        rows_widget = self.query_one(".rows", Static)
        rows_widget.update(rows_text)
        rows_widget.display = bool(rows_text)

    def action_open(self) -> None:
        self.post_message(self.Opened(self, self.target))

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_open()
