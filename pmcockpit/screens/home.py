"""Home: what needs the administrator today, one panel per topic."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid

from pmcockpit.core.clock import to_local
from pmcockpit.core.i18n import N_, _
from pmcockpit.messages import HomeSummaryLoaded
from pmcockpit.screens import home_text
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.widgets.summary_panel import SummaryPanel

HOME_ROWS = 3
"""The fewest rows a panel lists."""


class HomeScreen(LiveAreaScreen):
    CSS_PATH = "home.tcss"

    def compose_body(self) -> ComposeResult:
        with Grid(id="home-grid"):
            yield SummaryPanel(_("Today's checklist"), target="checklist", id="panel-checklist")
            yield SummaryPanel(_("Support queue"), target="queue", id="panel-queue")
            yield SummaryPanel(_("Accounts to review"), target="permissions", id="panel-review")
            yield SummaryPanel(_("Rollouts this week"), target="rollout", id="panel-rollout")
        # Outside the grid: a spanning auto-height grid row is measured at one column's width.
        yield SummaryPanel(_("Connected tools"), target="connections", id="panel-tools")

    def load(self) -> None:
        self._listed = self.list_length()
        self.read_summary(self._listed)

    def list_length(self) -> int:
        """Rows each topic panel lists: as many as its half of the screen holds (a tall
        terminal shows more), never fewer than three."""
        tools = self.query_one("#panel-tools").outer_size.height or 9
        # The header, the tab line, the footer; each panel's borders and lead line.
        panel = (self.size.height - 3 - tools) // 2 - 3
        return max(HOME_ROWS, panel)

    def on_resize(self) -> None:
        if getattr(self, "_listed", None) not in (None, self.list_length()):
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-summary",
          description=N_("Reading the home summary"))
    def read_summary(self, list_length: int = 3) -> None:
        # Imported here, in the worker: the frame paints before the database layer loads.
        from pmcockpit.services.checklist import checklists_due
        from pmcockpit.services.queue import CalendarError, sla_policy
        from pmcockpit.storage.queries.home import home_summary

        now, settings = self.clock(), self.workspace.settings
        try:
            policy = sla_policy(settings)
        except CalendarError:  # the Queue screen says what is wrong; count calendar hours
            policy = sla_policy(replace(settings, sla_calendar={},
                                        sla_business_hours=False))
        with self.workspace.db.session() as session:
            summary = home_summary(session, now, inactive_days=settings.inactive_days,
                                   policy=policy, list_length=list_length)
        # The checklist counts in the administrator's local day; the clock gives UTC.
        due = checklists_due(self.workspace, to_local(now))
        self.post_message(HomeSummaryLoaded(replace(summary, checklist_runs=tuple(due))))

    @on(HomeSummaryLoaded)
    def show_summary(self, message: HomeSummaryLoaded) -> None:
        summary = message.summary
        panels = {
            "#panel-checklist": home_text.checklist_text,
            "#panel-queue": home_text.queue_text,
            "#panel-review": home_text.review_text,
            "#panel-rollout": home_text.rollout_text,
            "#panel-tools": home_text.tools_text,
        }
        for selector, describe in panels.items():
            lead, rows = describe(summary)
            self.query_one(selector, SummaryPanel).show(lead, rows)
