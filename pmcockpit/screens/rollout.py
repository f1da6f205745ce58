"""Rollout: where each rollout stands, and whether people actually use the tool.

A board of rollouts (phase, health, next milestone); beneath it the highlighted
one's timeline, gate, waves, adoption and change requests. Keys advance a phase
(its gate decides), tick gate items with evidence, add milestones, record change
requests and their decisions, mark waves; every change goes through the rollout
service in a worker, and a refusal is shown with its reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import RolloutKind
from pmcockpit.core.rollout.versions import VersionMove
from pmcockpit.screens.base import Clock
from pmcockpit.screens.rollout_edit import RolloutEditing
from pmcockpit.screens.rollout_report import RolloutReportScreen
from pmcockpit.services.rollout_report import rollout_report
from pmcockpit.services.sync import connection_names
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.rollout import RolloutDetail, rollout_details
from pmcockpit.storage.queries.rollout_due import MOVES_DAYS
from pmcockpit.storage.queries.rollout_groups import group_choices
from pmcockpit.storage.queries.rollout_versions import unplanned_moves
from pmcockpit.widgets import rollout_detail as describe
from pmcockpit.widgets.checklist_items import cut
from pmcockpit.widgets.empty_state import EmptyState
from pmcockpit.widgets.rollout_timeline import RolloutTimeline

NAME_WIDTH, PHASE_WIDTH, HEALTH_WIDTH, NEXT_WIDTH = 22, 16, 9, 60
"""The board's widest columns; narrower terminals shrink the name and milestone first."""


def board_widths(width: int) -> tuple[int, int, int, int]:
    """Name, phase, health and next-milestone columns for a screen ``width`` wide (each
    column pads one cell either side; one more for the scroll bar)."""
    rest = max(0, width - 9) - HEALTH_WIDTH
    upcoming = min(NEXT_WIDTH, max(12, rest - NAME_WIDTH - PHASE_WIDTH))
    left = rest - upcoming
    name = max(10, min(NAME_WIDTH, left - PHASE_WIDTH))
    return name, max(8, min(PHASE_WIDTH, left - name)), HEALTH_WIDTH, upcoming
class RolloutsLoaded(Message):
    def __init__(self, views: list[RolloutDetail], connections: list[str], today: date,
                 moves: list[VersionMove], groups: list[str]) -> None:
        super().__init__()
        self.views, self.connections, self.today = views, connections, today
        self.moves, self.groups = moves, groups


class RolloutReportReady(Message):
    def __init__(self, name: str, markdown: str) -> None:
        super().__init__()
        self.name, self.markdown = name, markdown


class RolloutScreen(RolloutEditing):
    CSS_PATH = "rollout.tcss"
    AUTO_FOCUS = "#rollout-board"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "advance", _("Advance"), id="rollout.advance",
                tooltip=_("Leave the current phase: its gate is checked first")),
        Binding("t", "tick", _("Tick"), id="rollout.tick",
                tooltip=_("Tick an item of the current gate, with evidence")),
        Binding("c", "change", _("Change"), id="rollout.change",
                tooltip=_("Record a change request with its impact and priority")),
        Binding("p", "report", _("Report"), id="rollout.report",
                tooltip=_("The status report for stakeholders")),
        Binding("n", "new", _("New rollout"), show=False, id="rollout.new",
                tooltip=_("Start an adoption, upgrade, template or integration rollout")),
        Binding("m", "milestone", _("Add milestone"), show=False, id="rollout.milestone",
                tooltip=_("A dated milestone of the highlighted rollout")),
        Binding("d", "decide", _("Decide change"), show=False, id="rollout.decide",
                tooltip=_("Accept, defer or reject a change request, and say why")),
        Binding("w", "wave", _("Mark wave"), show=False, id="rollout.wave",
                tooltip=_("Set a wave's status: not started, trained, live, struggling")),
        Binding("b", "rollback", _("Rollback plan"), show=False, id="rollout.rollback",
                tooltip=_("Write how to go back; a roll-out phase needs it")),
        Binding("v", "version", _("Enter version"), show=False, id="rollout.version",
                tooltip=_("The version a tool runs when it does not report it (Redmine)")),
        Binding("l", "checklist", _("Checklist"), show=False, id="rollout.checklist",
                tooltip=_("Open the upgrade's pre- or post-upgrade checklist run")),
        Binding("W", "add_wave", _("Add wave"), show=False, id="rollout.add_wave",
                tooltip=_("A wave of teams going live together")),
        Binding("T", "add_team", _("Add team"), show=False, id="rollout.add_team",
                tooltip=_("A team joins a wave: a synced group or people counted by hand")),
        Binding("R", "risk", _("Record risk"), show=False, id="rollout.risk",
                tooltip=_("An open risk of the rollout, its impact and mitigation")),
        Binding("S", "training", _("Record training"), show=False, id="rollout.training",
                tooltip=_("A training session: team, date, invited and attended")),
    ]

    def __init__(self, workspace: Workspace, *, clock: Clock, title: str) -> None:
        super().__init__(workspace, clock=clock, title=title)
        self._views: dict[str, RolloutDetail] = {}
        self._connections: list[str] = []
        self._groups: list[str] = []
        self._today = clock().date()
        self._select: str | None = None
        self._widths = board_widths(80)

    def compose_body(self) -> ComposeResult:
        yield EmptyState(_("No rollouts tracked yet."),
                         _("Press n to start one: a tool adoption (pilot, standardise, waves, "
                           "optimise) or a version upgrade (plan, test, roll out, verify)."),
                         id="rollout-empty")
        yield DataTable(id="rollout-board", cursor_type="row")
        yield Static(id="rollout-moves", markup=False)
        with VerticalScroll(id="rollout-detail"):
            yield Static(id="rollout-summary", markup=False)
            yield RolloutTimeline(id="rollout-timeline")
            for part in ("gate", "version", "waves", "adoption", "kpis", "changes"):
                yield Static(id=f"rollout-{part}", classes="rollout-part", markup=False)

    def on_mount(self) -> None:
        self._widths = board_widths(self.app.size.width)
        self._add_columns()
        self.query_one("#rollout-empty").display = False

    def _add_columns(self) -> None:
        table = self.query_one(DataTable)
        titles = (_("Rollout"), _("Phase"), _("Health"), _("Next milestone"))
        for title, width in zip(titles, self._widths, strict=True):
            table.add_column(title, width=width)

    def on_resize(self) -> None:
        widths = board_widths(self.app.size.width)
        if widths != self._widths:
            self._widths = widths
            self.query_one(DataTable).clear(columns=True)
            self._add_columns()
            self._fill_board(self._highlighted())

    def load(self) -> None:
        self.read_rollouts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollout",
          description=_("Reading the rollouts"))
    def read_rollouts(self) -> None:
        today = self.clock().date()
        with self.workspace.db.session() as session:
            views = rollout_details(session, today)
            moves = unplanned_moves(session, self.clock() - timedelta(days=MOVES_DAYS))
            groups = group_choices(session)
        names = connection_names(self.workspace)
        self.post_message(RolloutsLoaded(views, names, today, moves, groups))

    @on(RolloutsLoaded)
    def show_rollouts(self, message: RolloutsLoaded) -> None:
        self._today, self._connections = message.today, message.connections
        self._groups = message.groups
        self._views = {view.name: view for view in message.views}
        keep = self._select or self._highlighted()
        self._select = None
        self._fill_board(keep)
        moves = self.query_one("#rollout-moves", Static)
        moves.display = bool(message.moves)
        moves.update(Text("\n").join(Text(_(
            "{connection} moved from {before} to {after} on {day} without a planned upgrade"
        ).format(connection=m.connection, before=m.before, after=m.after,
                 day=f"{m.at:%Y-%m-%d}"), style="bold red") for m in message.moves[:2]))
        empty = not message.views
        self.query_one("#rollout-empty").display = empty
        self.query_one(DataTable).display = not empty
        self.query_one("#rollout-detail").display = not empty
        self._show_detail()

    def _fill_board(self, keep: str | None) -> None:
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for view in self._views.values():
                table.add_row(*self._row(view), key=view.name)
            if keep in self._views:
                table.move_cursor(row=table.get_row_index(keep))

    def _row(self, view: RolloutDetail) -> tuple[Text, Text, Text, Text]:
        name_width, phase_width, _health, next_width = self._widths
        upcoming = next((m for m in view.milestones if m.done_on is None), None)
        next_text = Text(cut(f"{upcoming.due:%m-%d} {upcoming.title}", next_width)
                         if upcoming else "–", style="red" if upcoming and
                         upcoming.due < self._today else "")
        phase = view.current.title if view.current else _("done")
        return (Text(cut(view.name, name_width), style="bold"),
                Text(cut(f"{min(view.phase_index + 1, len(view.phases))}/{len(view.phases)} "
                         f"{phase}", phase_width)),
                describe.health_text(view), next_text)

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def current_view(self) -> RolloutDetail | None:
        return self._views.get(self._highlighted() or "")

    def copy_target(self) -> tuple[str, str] | None:
        """An upgrade's target version (what goes into the package manager), else the
        highlighted rollout's name (what `pmcockpit rollout` commands take)."""
        view = self.current_view()
        if view is None:
            return None
        if view.version is not None and view.version.target:
            return _("target version"), view.version.target
        return _("rollout name"), view.name

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        view = self.current_view()
        if view is None:
            return
        self.query_one("#rollout-summary", Static).update(
            describe.summary_text(view, self._today))
        self.query_one(RolloutTimeline).show(view.phases, view.phase_index, view.milestones,
                                             self._today)
        version = describe.version_text(view)
        parts = {"gate": describe.gate_text(view), "version": version,
                 "waves": describe.waves_text(view) if view.kind is not RolloutKind.UPGRADE
                 or view.waves else None,
                 "adoption": describe.adoption_text(view) if view.adoption else None,
                 "kpis": describe.kpi_text(view),
                 "changes": describe.changes_text(view)}
        for part, content in parts.items():
            widget = self.query_one(f"#rollout-{part}", Static)
            widget.display = content is not None
            if content is not None:
                widget.update(content)

    def action_report(self) -> None:
        view = self.current_view()
        if view is not None:
            self.write_report(view.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollout-report",
          description=_("Writing the rollout report"))
    def write_report(self, name: str) -> None:
        markdown = rollout_report(self.workspace, name, self.clock())[0]
        self.post_message(RolloutReportReady(name, markdown))

    @on(RolloutReportReady)
    def show_report(self, message: RolloutReportReady) -> None:
        if self.app.screen is self:
            self.app.push_screen(RolloutReportScreen(message.name, message.markdown))
