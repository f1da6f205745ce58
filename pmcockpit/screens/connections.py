"""Connections: every connected tool with its last sync, latest health and token source.

The same as ``pmcockpit connect list/test/add/remove`` and ``pmcockpit sync NAME``,
on the selected row: ``t`` tests, ``S`` syncs it (through the app, progress in the
header; ``s`` syncs every tool, as everywhere), ``a`` adds (a form; the token is
tried first), ``d`` removes (asks first).
When a tool is down the cockpit keeps its last synced state; the detail under the
table says how old it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.core.wording import ago
from pmcockpit.messages import SyncRequested
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.connection_dialogs import AddConnectionForm, ConfirmRemoval
from pmcockpit.screens.queue_definition import QueueDefinitionDialog
from pmcockpit.services.connection_offers import Offers, connection_offers
from pmcockpit.services.connection_setup import overview, remove_connection
from pmcockpit.services.health import check_health
from pmcockpit.storage.queries.connections import ConnectionOverview, HealthFacts
from pmcockpit.storage.queries.rollout_due import MOVES_DAYS
from pmcockpit.storage.queries.rollout_versions import VersionNote, version_notes
from pmcockpit.widgets.columns import Cells, ColumnSpec, fill_table, fit_columns, widest
from pmcockpit.widgets.connection_cells import (
    admin_cell,
    health_cell,
    health_lines,
    tls_cell,
    token_word,
    token_words,
)
from pmcockpit.widgets.empty_state import EmptyState
from pmcockpit.widgets.rollout_drift import drift_lines, version_cell

DEMO_REFUSAL = _(
    "The demo's tools are simulated: it adds and removes no connection and touches no "
    "keyring. On your own database: `pmcockpit` then key 6, or `pmcockpit connect add`."
)


class ConnectionsScreen(LiveAreaScreen):
    CSS_PATH = "connections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "test", _("Test"), id="connections.test",
                tooltip=_("Check the selected tool now: reachable, token, admin rights, "
                          "latency, version, TLS expiry")),
        # s syncs every tool here as everywhere (the app's key); S only the selected one.
        Binding("S", "sync", _("Sync this"), id="connections.sync",
                tooltip=_("Sync the selected tool now (s syncs every tool)")),
        Binding("a", "add", _("Add"), id="connections.add",
                tooltip=_("Connect a tool: its token is tried, then kept in the keyring")),
        Binding("d", "remove", _("Remove"), id="connections.remove",
                tooltip=_("Remove the selected connection, its synced data and token "
                          "(asks first)")),
        Binding("u", "queue_definition", _("Queue"), show=False,
                id="connections.queue_definition",
                tooltip=_("What forms the selected tool's support queue: project, "
                          "tracker, JQL, labels")),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[ConnectionOverview],
                     versions: dict[str, VersionNote]) -> None:
            super().__init__()
            self.rows = rows
            self.versions = versions

    class HealthChecked(Message):
        def __init__(self, name: str, facts: HealthFacts, offers: Offers | None) -> None:
            super().__init__()
            self.name = name
            self.facts = facts
            self.offers = offers

    class Removed(Message):
        def __init__(self, name: str, token_problem: str | None) -> None:
            super().__init__()
            self.name = name
            self.token_problem = token_problem

    rows: dict[str, ConnectionOverview]
    offers: dict[str, Offers]
    """What each tested connection offers (asked of the tool by a test, t)."""
    versions: dict[str, VersionNote]
    """What the rollouts say of each connection's version: its upgrade, its drift."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="connections-lead")
        yield DataTable(id="connections-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="connection-detail")
        with Container(id="connections-empty-holder", classes="empty-holder"):
            yield EmptyState(_("Reading the connections…"), id="connections-empty")

    def on_mount(self) -> None:
        self.rows = {}
        self.offers = {}
        self.versions = {}
        self._cells: list[tuple[str, Cells]] = []
        self._size_columns()
        self._show_table(False)

    def on_resize(self) -> None:
        self._size_columns()

    def _size_columns(self) -> None:
        """Name, health, last sync and URL stay; version, kind, TLS, admin, latency and
        token give way, in that order (the detail below shows them all)."""
        labels = {"name": _("Name"), "health": _("Health"), "synced": _("Synced"),
                  "latency": _("Latency"), "admin": _("Admin"), "token": _("Token"),
                  "kind": _("Kind"), "version": _("Version"), "tls": _("TLS expires"),
                  "url": _("URL")}
        longest = partial(widest, self._cells)

        # Styled cells are not measured by the table: every column gets a width here.
        specs = [ColumnSpec("name", longest("name", 4), minimum=6),
                 ColumnSpec("health", 13), ColumnSpec("synced", longest("synced", 6)),
                 ColumnSpec("url", longest("url", 3), minimum=12, grow=True, maximum=60),
                 ColumnSpec("token", longest("token", 5), minimum=5, optional=True),
                 ColumnSpec("latency", longest("latency", 7), optional=True),
                 ColumnSpec("admin", 5, optional=True), ColumnSpec("tls", 11, optional=True),
                 ColumnSpec("kind", longest("kind", 4), optional=True),
                 ColumnSpec("version", longest("version", 7), optional=True)]
        table = self.query_one(DataTable)
        widths = fit_columns(specs, self.size.width - 1, table.cell_padding)
        selected = self.selected_name() if table.row_count else None
        with self.app.batch_update():
            fill_table(table, labels, widths, self._cells)
            if selected is not None and selected in {key for key, _c in self._cells}:
                table.move_cursor(row=table.get_row_index(selected))

    def _show_table(self, shown: bool) -> None:
        for selector in ("#connections-lead", "#connections-table", "#connection-detail"):
            self.query_one(selector).display = shown
        self.query_one("#connections-empty-holder").display = not shown

    # --- reading --------------------------------------------------------------------------

    def load(self) -> None:
        self.read_connections()

    @work(thread=True, exclusive=True, exit_on_error=False, group="connections",
          description=N_("Reading the connections"))
    def read_connections(self) -> None:
        # The keyring may be slow (D-Bus) or locked: read here, never on the event loop.
        rows = overview(self.workspace.db, simulated=self.workspace.demo)
        with self.workspace.db.session() as session:
            versions = version_notes(session, self.clock() - timedelta(days=MOVES_DAYS))
        self.post_message(self.Loaded(rows, versions))

    @on(Loaded)
    def show_connections(self, message: Loaded) -> None:
        self.rows = {row.name: row for row in message.rows}
        self.versions = message.versions
        if not self.rows:
            self.query_one(EmptyState).say(
                _("No tool connected yet."),
                _("Press a to connect one: its API token is tried first, then kept in your "
                  "system keyring, never in a file. Or try `pmcockpit demo`."),
            )
            self._show_table(False)
            return
        now = self.clock()
        self._cells = []
        for row in message.rows:
            facts = row.health
            latency = "—"
            if facts and facts.latency_ms is not None:
                latency = _("{ms:.0f} ms").format(ms=facts.latency_ms)
            version = (facts.version if facts else None) or "—"
            synced = ago(row.last_sync_at, now) if row.last_sync_at else _("never")
            if row.last_sync_error:
                synced = _("✗ {age}").format(age=synced)
            # Text, not str: names, versions and URLs from the user or the tool are not markup.
            self._cells.append((row.name, {
                "name": Text(row.name), "health": health_cell(facts), "synced": synced,
                "latency": latency, "admin": admin_cell(facts),
                "token": token_word(row.token), "kind": row.kind,
                "version": version_cell(version, self.versions.get(row.name)),
                "tls": tls_cell(facts, now), "url": Text(row.url)}))
        self._size_columns()
        self._show_lead()
        self._show_table(True)
        self._show_detail()

    def _show_lead(self) -> None:
        rows = list(self.rows.values())
        failing = sum(1 for row in rows if row.last_sync_error)
        down = sum(1 for row in rows if row.health and not (row.health.reachable
                                                            and row.health.authenticated))
        lead = Content(ngettext("{count} tool connected", "{count} tools connected",
                                len(rows)).format(count=len(rows)))
        if failing:
            lead = Content.assemble(lead, " · ", (_("{count} last sync failed").format(
                count=failing), "$text-error"))
        if down:
            lead = Content.assemble(lead, " · ", (_("{count} unhealthy at last check").format(
                count=down), "$text-error"))
        self.query_one("#connections-lead", Static).update(lead)

    def copy_target(self) -> tuple[str, str] | None:
        """The selected tool's URL."""
        name = self.selected_name()
        if name is None or name not in self.rows:
            return None
        return _("URL of {name}").format(name=name), self.rows[name].url

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        name = self.selected_name()
        detail = self.query_one("#connection-detail", Static)
        if name is None or name not in self.rows:
            detail.update("")
            return
        detail.update(Content("\n").join([
            self._detail(self.rows[name], self.clock(), self.offers.get(name)),
            *drift_lines(self.versions.get(name))]))

    @staticmethod
    def _detail(row: ConnectionOverview, now: datetime, offers: Offers | None) -> Content:
        """Everything about one connection, with the long texts the table cuts."""
        lines = [Content.assemble((row.name, "bold"), f"  {row.kind}  ", (row.url, "$text-muted"))]
        if row.last_sync_at is None:
            lines.append(Content.styled(_("Never synced: press s to sync it."),
                                        "$text-warning"))
        elif row.last_sync_seconds:
            lines.append(Content(_("Synced {age} in {seconds:.1f}s.").format(
                age=ago(row.last_sync_at, now), seconds=row.last_sync_seconds)))
        else:
            lines.append(Content(_("Synced {age}.").format(age=ago(row.last_sync_at, now))))
        if row.last_sync_error:
            age = ago(row.last_sync_at, now) if row.last_sync_at else _("never synced")
            lines.append(Content.styled(_("Last sync failed: {error}").format(
                error=row.last_sync_error), "$text-error"))
            lines.append(Content.styled(_(
                "The cockpit shows the state of the last good sync ({age}).").format(age=age),
                "$text-warning"))
        if row.memberships_kept_from is not None:
            lines.append(Content.styled(_(
                "Memberships as of {age}: a re-sync keeps them, a full sync reads them "
                "again.").format(
                    age=ago(row.memberships_kept_from, now)), "$text-muted"))
        lines.extend(health_lines(row, now))
        lines.append(Content.styled(_("Token: {where}").format(where=token_words(row.token)),
                                    "$text-muted"))
        if offers is not None and offers.offered:
            lines.append(Content.styled(_("Offers: {actions}").format(
                actions=", ".join(offer.title.lower() for offer in offers.offered)),
                "$text-muted"))
        return Content("\n").join(lines)

    # --- keys -----------------------------------------------------------------------------

    def _require_selection(self) -> str | None:
        name = self.selected_name()
        if name is None:
            self.notify(_("No connection yet: press a to add one."), severity="warning")
        return name

    def action_test(self) -> None:
        name = self._require_selection()
        if name is None:
            return
        table = self.query_one(DataTable)
        table.update_cell(name, "health", Content.styled(_("checking…"), "$text-muted"))
        self.test_connection(name)

    @work(exclusive=True, exit_on_error=False, group="connections-test",
          description=N_("Checking the tool"))
    async def test_connection(self, name: str) -> None:
        facts = await check_health(self.workspace, name)
        offers = None
        if facts.reachable and facts.authenticated:
            offers = await connection_offers(self.workspace, name)
        self.post_message(self.HealthChecked(name, facts, offers))

    @on(HealthChecked)
    def health_checked(self, message: HealthChecked) -> None:
        if message.offers is not None:
            self.offers[message.name] = message.offers
        facts = message.facts
        summary = health_cell(facts).plain
        if facts.latency_ms:
            summary = _("{health}, {ms:.0f} ms").format(health=summary, ms=facts.latency_ms)
        if facts.error:
            summary += f"\n{facts.error}"
        healthy = facts.reachable and facts.authenticated and facts.is_admin
        self.notify(summary, title=_("Checked {name}").format(name=message.name), markup=False,
                    severity="information" if healthy else "error")
        self.load()

    def action_sync(self) -> None:
        name = self._require_selection()
        if name is None:
            return
        self.query_one(DataTable).update_cell(name, "synced", _("syncing…"))
        self.post_message(SyncRequested([name]))

    def action_add(self) -> None:
        if self.workspace.demo:
            self.notify(DEMO_REFUSAL, title=_("Not in the demo"), severity="warning",
                        markup=False)
            return
        self.app.push_screen(AddConnectionForm(self.workspace.db, sorted(self.rows)),
                             self._added)

    def _added(self, saved: str | None) -> None:
        if saved:
            self.notify(saved, title=_("Connection saved"), markup=False, timeout=8)
            self.load()

    def action_queue_definition(self) -> None:
        name = self._require_selection()
        if name is not None:
            self.app.push_screen(QueueDefinitionDialog(self.workspace.db, name),
                                 lambda saved: self.notify(_(
                                     "Saved: the next sync reads the queue of {name} "
                                     "anew.").format(name=name)) if saved else None)

    def action_remove(self) -> None:
        if self.workspace.demo:
            self.notify(DEMO_REFUSAL, title=_("Not in the demo"), severity="warning",
                        markup=False)
            return
        name = self._require_selection()
        if name is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.remove_connection(name)

        self.app.push_screen(ConfirmRemoval(name), confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="connections-remove",
          description=N_("Removing the connection"))
    def remove_connection(self, name: str) -> None:
        self.post_message(self.Removed(name, remove_connection(self.workspace.db, name)))

    @on(Removed)
    def removed(self, message: Removed) -> None:
        if message.token_problem:
            self.notify(_("Its token could not be deleted from the keyring: {problem}").format(
                problem=message.token_problem), title=_("Removed {name}").format(
                    name=message.name), severity="warning", markup=False, timeout=12)
        else:
            self.notify(_("Its synced data and stored token are gone; its audit entries stay."),
                        title=_("Removed {name}").format(name=message.name))
        self.load()
