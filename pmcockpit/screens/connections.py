"""Connections: every connected tool with its last sync, latest health and token source.

The same as ``pmcockpit connect list/test/add/remove`` and ``pmcockpit sync NAME``,
on the selected row: ``t`` tests, ``s`` syncs (through the app, progress in the
header), ``a`` adds (a form; the token is tried first), ``d`` removes (asks first).
When a tool is down the cockpit keeps its last synced state; the detail under the
table says how old it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from pmcockpit.connectors.tokens import TokenStore
from pmcockpit.core.wording import ago, plural
from pmcockpit.messages import SyncRequested
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.connection_dialogs import AddConnectionForm, ConfirmRemoval
from pmcockpit.services.connection_setup import remove_connection
from pmcockpit.services.health import check_health
from pmcockpit.storage import connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.widgets.empty_state import EmptyState

DEMO_REFUSAL = (
    "The demo's tools are simulated: it adds and removes no connection and touches no "
    "keyring. On your own database: `pmcockpit` then key 6, or `pmcockpit connect add`."
)
TLS_WARNING_DAYS = 30
"""A certificate expiring sooner than this is shown as a warning."""


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    name: str
    kind: str
    url: str
    last_sync_at: datetime | None
    last_sync_seconds: float | None
    last_sync_error: str | None
    health: HealthFacts | None
    token: str = ""
    """Where the token comes from: environment, keyring, missing (simulated in the demo)."""


def health_cell(facts: HealthFacts | None) -> Content:
    """Up, down or auth failed, marked so it reads without colour too."""
    if facts is None:
        return Content.styled("not checked", "$text-muted")
    if not facts.reachable:
        return Content.styled("✗ down", "$text-error")
    if not facts.authenticated:
        return Content.styled("✗ auth failed", "$text-error")
    return Content.styled("● up", "$text-success")


def admin_cell(facts: HealthFacts | None) -> Content:
    if facts is None or facts.is_admin is None:
        return Content.styled("—", "$text-muted")
    return Content("yes") if facts.is_admin else Content.styled("✗ no", "$text-error")


def tls_cell(facts: HealthFacts | None, now: datetime) -> Content:
    if facts is None or facts.tls_expires_at is None:
        return Content.styled("—", "$text-muted")
    soon = (facts.tls_expires_at - now).days < TLS_WARNING_DAYS
    return Content.styled(f"{facts.tls_expires_at:%Y-%m-%d}", "$text-warning" if soon else "")


class ConnectionsScreen(LiveAreaScreen):
    CSS_PATH = "connections.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "test", "Test", id="connections.test",
                tooltip="Check the selected tool now: reachable, token, admin rights, latency, "
                        "version, TLS expiry"),
        Binding("s", "sync", "Sync", id="connections.sync",
                tooltip="Sync the selected tool now (elsewhere s syncs every tool)"),
        Binding("a", "add", "Add", id="connections.add",
                tooltip="Connect a tool: its token is tried, then kept in the keyring"),
        Binding("d", "remove", "Remove", id="connections.remove",
                tooltip="Remove the selected connection, its synced data and token (asks first)"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[ConnectionRow]) -> None:
            super().__init__()
            self.rows = rows

    class HealthChecked(Message):
        def __init__(self, name: str, facts: HealthFacts) -> None:
            super().__init__()
            self.name = name
            self.facts = facts

    class Removed(Message):
        def __init__(self, name: str, token_problem: str | None) -> None:
            super().__init__()
            self.name = name
            self.token_problem = token_problem

    rows: dict[str, ConnectionRow]

    def compose_body(self) -> ComposeResult:
        yield Static(id="connections-lead")
        yield DataTable(id="connections-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="connection-detail")
        with Container(id="connections-empty-holder", classes="empty-holder"):
            yield EmptyState("Reading the connections…", id="connections-empty")

    def on_mount(self) -> None:
        self.rows = {}
        table = self.query_one(DataTable)
        table.add_column("Name", key="name")
        # Styled cells are not measured by the table: their columns get a fixed width.
        table.add_column("Health", key="health", width=13)
        table.add_column("Synced", key="synced")
        table.add_column("Latency", key="latency")
        table.add_column("Admin", key="admin", width=5)
        table.add_column("Token", key="token")
        table.add_column("Kind", key="kind")
        table.add_column("Version", key="version")
        table.add_column("TLS expires", key="tls", width=11)
        table.add_column("URL", key="url")
        self._show_table(False)

    def _show_table(self, shown: bool) -> None:
        for selector in ("#connections-lead", "#connections-table", "#connection-detail"):
            self.query_one(selector).display = shown
        self.query_one("#connections-empty-holder").display = not shown

    # --- reading --------------------------------------------------------------------------

    def load(self) -> None:
        self.read_connections()

    @work(thread=True, exclusive=True, exit_on_error=False, group="connections",
          description="Reading the connections")
    def read_connections(self) -> None:
        with self.workspace.db.session() as session:
            health = connections.latest_health(session)
            rows = [
                ConnectionRow(c.name, c.kind, c.url, c.last_sync_at, c.last_sync_seconds,
                              c.last_sync_error,
                              HealthFacts.of(health[c.name]) if c.name in health else None)
                for c in connections.all_connections(session)
            ]
        # The keyring may be slow (D-Bus) or locked: read here, never on the event loop.
        tokens = None if self.workspace.demo else TokenStore()
        self.post_message(self.Loaded([
            replace(row, token=(tokens.source(row.name) or "missing") if tokens else "simulated")
            for row in rows
        ]))

    @on(Loaded)
    def show_connections(self, message: Loaded) -> None:
        self.rows = {row.name: row for row in message.rows}
        if not self.rows:
            self.query_one(EmptyState).say(
                "No tool connected yet.",
                "Press a to connect one: its API token is tried first, then kept in your "
                "system keyring, never in a file. Or try `pmcockpit demo`.",
            )
            self._show_table(False)
            return
        table = self.query_one(DataTable)
        selected = self.selected_name()
        now = self.clock()
        with self.app.batch_update():
            table.clear()
            for row in message.rows:
                facts = row.health
                latency = "—"
                if facts and facts.latency_ms is not None:
                    latency = f"{facts.latency_ms:.0f} ms"
                version = (facts.version if facts else None) or "—"
                synced = ago(row.last_sync_at, now) if row.last_sync_at else "never"
                if row.last_sync_error:
                    synced = f"✗ {synced}"
                # Text, not str: names, versions and URLs from the user or the tool are not markup.
                table.add_row(
                    Text(row.name), health_cell(facts), synced, latency, admin_cell(facts),
                    row.token, row.kind, Text(version),
                    tls_cell(facts, now), Text(row.url), key=row.name,
                )
            if selected in self.rows:
                table.move_cursor(row=table.get_row_index(selected))
        self._show_lead()
        self._show_table(True)
        self._show_detail()

    def _show_lead(self) -> None:
        rows = list(self.rows.values())
        failing = sum(1 for row in rows if row.last_sync_error)
        down = sum(1 for row in rows if row.health and not (row.health.reachable
                                                            and row.health.authenticated))
        lead = Content(plural(len(rows), "tool") + " connected")
        if failing:
            lead = Content.assemble(lead, " · ", (f"{failing} last sync failed", "$text-error"))
        if down:
            lead = Content.assemble(lead, " · ", (f"{down} unhealthy at last check",
                                                  "$text-error"))
        self.query_one("#connections-lead", Static).update(lead)

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
        detail.update(self._detail(self.rows[name], self.clock()))

    @staticmethod
    def _detail(row: ConnectionRow, now: datetime) -> Content:
        """Everything about one connection, with the long texts the table cuts."""
        lines = [Content.assemble((row.name, "bold"), f"  {row.kind}  ", (row.url, "$text-muted"))]
        if row.last_sync_at is None:
            lines.append(Content.styled("Never synced: press s to sync it.", "$text-warning"))
        else:
            took = f" in {row.last_sync_seconds:.1f}s" if row.last_sync_seconds else ""
            lines.append(Content(f"Synced {ago(row.last_sync_at, now)}{took}."))
        if row.last_sync_error:
            age = ago(row.last_sync_at, now) if row.last_sync_at else "never synced"
            lines.append(Content.styled(f"Last sync failed: {row.last_sync_error}",
                                        "$text-error"))
            lines.append(Content.styled(
                f"The cockpit shows the state of the last good sync ({age}).", "$text-warning"))
        facts = row.health
        if facts is None:
            lines.append(Content.styled("Health not checked yet: press t.", "$text-muted"))
        else:
            checked = ago(facts.checked_at, now) if facts.checked_at else "just now"
            parts = [f"Health {checked}:", health_cell(facts).plain]
            if facts.latency_ms:
                parts.append(f"{facts.latency_ms:.0f} ms")
            if facts.version:
                parts.append(f"version {facts.version}")
            if facts.tls_expires_at:
                parts.append(f"TLS until {facts.tls_expires_at:%Y-%m-%d}")
            lines.append(Content(" ".join(parts)))
            if facts.error and facts.error != row.last_sync_error:
                lines.append(Content.styled(facts.error, "$text-error"))
        token = {"environment": "from the environment", "keyring": "in the system keyring",
                 "missing": "missing: add the connection again (a)"}.get(row.token, row.token)
        lines.append(Content.styled(f"Token: {token}", "$text-muted"))
        return Content("\n").join(lines)

    # --- keys -----------------------------------------------------------------------------

    def _require_selection(self) -> str | None:
        name = self.selected_name()
        if name is None:
            self.notify("No connection yet: press a to add one.", severity="warning")
        return name

    def action_test(self) -> None:
        name = self._require_selection()
        if name is None:
            return
        table = self.query_one(DataTable)
        table.update_cell(name, "health", Content.styled("checking…", "$text-muted"))
        self.test_connection(name)

    @work(exclusive=True, exit_on_error=False, group="connections-test",
          description="Checking the tool")
    async def test_connection(self, name: str) -> None:
        facts = await check_health(self.workspace, name)
        self.post_message(self.HealthChecked(name, facts))

    @on(HealthChecked)
    def health_checked(self, message: HealthChecked) -> None:
        facts = message.facts
        summary = health_cell(facts).plain
        if facts.latency_ms:
            summary += f", {facts.latency_ms:.0f} ms"
        if facts.error:
            summary += f"\n{facts.error}"
        healthy = facts.reachable and facts.authenticated and facts.is_admin
        self.notify(summary, title=f"Checked {message.name}", markup=False,
                    severity="information" if healthy else "error")
        self.load()

    def action_sync(self) -> None:
        name = self._require_selection()
        if name is None:
            return
        self.query_one(DataTable).update_cell(name, "synced", "syncing…")
        self.post_message(SyncRequested([name]))

    def action_add(self) -> None:
        if self.workspace.demo:
            self.notify(DEMO_REFUSAL, title="Not in the demo", severity="warning", markup=False)
            return
        self.app.push_screen(AddConnectionForm(self.workspace.db, sorted(self.rows)),
                             self._added)

    def _added(self, saved: str | None) -> None:
        if saved:
            self.notify(saved, title="Connection saved", markup=False, timeout=8)
            self.load()

    def action_remove(self) -> None:
        if self.workspace.demo:
            self.notify(DEMO_REFUSAL, title="Not in the demo", severity="warning", markup=False)
            return
        name = self._require_selection()
        if name is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.remove_connection(name)

        self.app.push_screen(ConfirmRemoval(name), confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="connections-remove",
          description="Removing the connection")
    def remove_connection(self, name: str) -> None:
        self.post_message(self.Removed(name, remove_connection(self.workspace.db, name)))

    @on(Removed)
    def removed(self, message: Removed) -> None:
        if message.token_problem:
            self.notify(f"Its token could not be deleted from the keyring: "
                        f"{message.token_problem}", title=f"Removed {message.name}",
                        severity="warning", markup=False, timeout=12)
        else:
            self.notify("Its synced data and stored token are gone; its audit entries stay.",
                        title=f"Removed {message.name}")
        self.load()
