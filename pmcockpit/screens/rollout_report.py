"""The rollout's status report, as the stakeholders will read it (Markdown)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from pmcockpit.core.i18n import _


class RolloutReportScreen(ModalScreen[None]):
    CSS_PATH = "rollout_form.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", _("Close"), id="rollout_report.close",
                tooltip=_("Back to the rollouts")),
    ]

    def __init__(self, name: str, markdown: str) -> None:
        super().__init__()
        self.report_name = name
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="rollout-report") as scroll:
            scroll.border_title = _("Report: {name}").format(name=self.report_name)
            scroll.border_subtitle = _("`pmcockpit rollout report` writes it to a file · "
                                       "Escape to close")
            yield Markdown(self.markdown, id="rollout-report-text")

    def action_close(self) -> None:
        self.dismiss(None)
