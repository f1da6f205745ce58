"""The cockpit: a Textual app with one mode per area (Home, Checklist, Permissions, ...).

``run_cockpit`` opens it on the user's database; ``run_demo`` on a throwaway
database connected to simulated tools. The areas come from
:data:`pmcockpit.screens.areas.AREAS`; each is one key away and one palette
command away.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.messages import SyncFinished, SyncProgressed, SyncRequested
from pmcockpit.screens.areas import AREAS, HOME, Area
from pmcockpit.screens.base import AreaScreen, Clock, LiveAreaScreen
from pmcockpit.screens.commands import GoCommands, HelpCommands
from pmcockpit.screens.help import HelpScreen, keys_of
from pmcockpit.screens.opening import Opening, OpeningScreen
from pmcockpit.widgets.line_breaks import allow_cjk_breaks
from pmcockpit.widgets.summary_panel import SummaryPanel

allow_cjk_breaks()  # Chinese wraps between characters (see widgets.line_breaks)

if TYPE_CHECKING:  # loaded after the first paint, by the workers that need them
    from pmcockpit.config import Settings
    from pmcockpit.services.alerts import Delivery as AlertDelivery
    from pmcockpit.services.outbox import Delivered
    from pmcockpit.services.sync import SyncReport
    from pmcockpit.services.workspace import ConnectorOpener, Workspace
    from pmcockpit.storage.db import Database

TITLE = "pmcockpit"
DEMO_TITLE = _("pmcockpit DEMO (simulated, nothing real touched)")
"""Short enough to keep the area's name beside it in an 80-column header."""
DEMO_SHORT_TITLE = _("pmcockpit DEMO")
"""The demo's title while a sync's progress shares the header."""

SYNC_GROUP = "sync"
OPENING_MODE = "opening"

AREA_KEYS = Binding.Group(_("Areas"), compact=True)
"""The footer shows the area keys as one "1234567 Areas" group: at 80 columns it then
keeps room for each screen's own keys. Help and the palette name every area."""


def _area_binding(area: Area) -> Binding:
    return Binding(area.key, f"go({area.mode!r})", area.title, id=area.binding_id,
                   tooltip=area.purpose, group=AREA_KEYS)


class CockpitApp(App[None]):
    """The administrator's cockpit over one :class:`Workspace`."""

    CSS_PATH = "app.tcss"
    TITLE = TITLE
    DEFAULT_MODE = HOME
    COMMANDS = App.COMMANDS | {GoCommands, HelpCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(_area_binding(area) for area in AREAS),
        Binding("s", "sync_all", _("Sync all"), id="app.sync",
                tooltip=_("Pull every connected tool's state now; progress in the header")),
        Binding("question_mark", "help", _("Help"), id="app.help",
                tooltip=_("Every key of this screen")),
        Binding("q", "quit", _("Quit"), id="app.quit", tooltip=_("Leave the cockpit")),
        # Replaces Textual's "ctrl+c tells you how to quit": here it quits, as in a shell.
        # With text selected, the screen's own ctrl+c copies it instead.
        Binding("ctrl+c", "quit", _("Quit"), show=False, id="app.quit_ctrl_c"),
        Binding("ctrl+q", "quit", _("Quit"), show=False, priority=True, id="app.quit_ctrl_q"),
        Binding("ctrl+p", "command_palette", _("Commands"), show=False, priority=True,
                id="app.command_palette", tooltip=_("Search every command")),
    ]

    def __init__(self, workspace: Workspace | Opening, *, clock: Clock = utcnow) -> None:
        """On an open ``workspace``; or on an :class:`Opening`: the first frame paints at
        once and the workspace opens in a worker (the home screen then replaces it)."""
        self._opening = workspace if isinstance(workspace, Opening) else None
        if self._opening is not None:
            # Start on the opening frame (Textual reads the start mode in __init__).
            self.DEFAULT_MODE = OPENING_MODE  # type: ignore[misc]
        super().__init__()
        self.opened = asyncio.Event()
        """Set once the workspace is open, or could not be (then the app is leaving)."""
        if isinstance(workspace, Opening):
            self.add_mode(OPENING_MODE, partial(OpeningScreen, workspace.doing))
        else:
            self.workspace = workspace
            self.opened.set()
        self.clock = clock
        """Gives "now"; tests fix it so what the screens show does not move."""
        for area in AREAS:
            self.add_mode(area.mode, partial(self._build_area, area))
        if workspace.demo:
            self.title = DEMO_TITLE
            self.add_class("-demo")
        settings = workspace.settings
        self._unknown_theme: str | None = None
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        else:
            self._unknown_theme = settings.theme
        self.set_keymap(settings.keymap)

    @property
    def ready(self) -> bool:
        """The workspace is open (at once, or once the opening worker is done)."""
        return self._opening is None

    @property
    def area_modes(self) -> list[str]:
        return [area.mode for area in AREAS]

    def _build_area(self, area: Area) -> AreaScreen:
        return area.screen(self.workspace, clock=self.clock, title=area.title)

    def on_mount(self) -> None:
        if self._unknown_theme is not None:
            self.notify(
                _("Unknown theme {theme!r}; using {default!r}. Known: {known}").format(
                    theme=self._unknown_theme, default=self.theme,
                    known=", ".join(sorted(self.available_themes))),
                severity="warning",
            )
        if self._opening is None:
            self._tell_notes()
        else:  # after the first frame is on the terminal, not competing with it
            self.call_after_refresh(self._open_workspace, self._opening)

    def _tell_notes(self) -> None:
        for note in self.workspace.notes:
            self.notify(note, timeout=10)
        self.reconcile_in_doubt()

    @work(exclusive=True, exit_on_error=False, group="reconcile",
          description=N_("Reconciling actions left in doubt"))
    async def reconcile_in_doubt(self) -> None:
        """Actions a crash left between intent and outcome: read back, then recorded."""
        from pmcockpit.services.outbox import send_pending
        from pmcockpit.services.reconcile import reconcile

        done = await reconcile(self.workspace)
        if done:
            self.notify("\n".join(f"#{item.intent_id} {item.action}: {item.note}"
                                   for item in done), markup=False, timeout=15,
                        title=_("Actions left in doubt by a crash"))
        if not self.workspace.demo:  # the demo's outbox item waits for the user's sync
            self._tell_outbox(await send_pending(self.workspace))

    def _tell_outbox(self, done: list[Delivered]) -> None:
        """What the outbox sent once its tools answered again (nothing said when empty)."""
        from pmcockpit.services.outbox import Delivery

        sent = sum(1 for d in done if d.delivery is Delivery.SENT)
        if sent:
            self.notify(ngettext("Outbox: {count} waiting change sent.",
                                 "Outbox: {count} waiting changes sent.", sent).format(
                count=sent))

    def _tell_alerts(self, deliveries: list[AlertDelivery]) -> None:
        """Alerts the sync raised: a line when sent, an error when a receiver failed."""
        for d in deliveries:
            self.notify(_("Alert sent to {notifier}").format(notifier=d.notifier) if d.ok else
                        _("Alert NOT sent to {notifier}: {error}").format(
                            notifier=d.notifier, error=d.error),
                        severity="information" if d.ok else "error", markup=False)

    @work(thread=True, exit_on_error=False, group=OPENING_MODE, description=_("Opening"))
    def _open_workspace(self, opening: Opening) -> Workspace:
        return opening.open()

    def _opening_done(self, worker: Worker[Workspace]) -> None:
        if worker.state == WorkerState.ERROR:  # a database it cannot use: say why and leave
            self.exit(return_code=1, message=_("pmcockpit: {message}").format(
                message=worker.error))
            self.opened.set()
        elif worker.state == WorkerState.SUCCESS and worker.result is not None:
            self._workspace_opened(worker.result)

    def _workspace_opened(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._opening = None
        self.call_later(self._show_home)

    async def _show_home(self) -> None:
        await self.switch_mode(HOME)
        await self.remove_mode(OPENING_MODE)
        self._tell_notes()
        self.opened.set()

    def action_go(self, mode: str) -> None:
        if self.ready:
            self.switch_mode(mode)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        self.push_screen(HelpScreen(screen.sub_title or screen.title or "", keys_of(screen)))

    @on(SummaryPanel.Opened)
    def open_area(self, event: SummaryPanel.Opened) -> None:
        if event.target in self.area_modes:
            self.switch_mode(event.target)
        else:
            self.notify(_("The {area} screen is not in this version yet.").format(
                area=event.target.title()), severity="warning")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Tools: Sync all"),
                            _("Pull every connected tool's state now (key s)"),
                            self.action_sync_all)
        # Our help screen replaces Textual's key panel ("Keys").
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    # --- sync -----------------------------------------------------------------------------

    def action_sync_all(self) -> None:
        self.start_sync(None)

    @on(SyncRequested)
    def sync_requested(self, message: SyncRequested) -> None:
        self.start_sync(message.names)

    def start_sync(self, names: list[str] | None) -> None:
        """Sync ``names`` (all when None), one sync at a time."""
        if not self.ready:
            return
        if any(w.group == SYNC_GROUP and not w.is_finished for w in self.workers):
            self.notify(_("A sync is already running: its progress is in the header."),
                        severity="warning")
            return
        self.sync_tools(names)

    @work(exit_on_error=False, group=SYNC_GROUP, description=N_("Syncing the tools"))
    async def sync_tools(self, names: list[str] | None) -> None:
        # Async: the connectors are; sync_all does its database work in threads.
        from pmcockpit.services.sync import connection_names, sync_all

        if names is None:
            names = await asyncio.to_thread(connection_names, self.workspace)
        positions = {name: place for place, name in enumerate(names, 1)}

        def progress(name: str, what: str) -> None:
            self.post_message(SyncProgressed(name, what, positions.get(name, 0), len(names)))

        if names:
            progress(names[0], _("connecting"))
        reports = await sync_all(self.workspace, names, progress=progress)
        synced = [r.connection for r in reports if r.ok]
        if synced:
            from pmcockpit.services.queue import after_sync

            self._tell_outbox(await after_sync(self.workspace, synced))
        self.post_message(SyncFinished(reports))
        from pmcockpit.services.alert_triggers import after_sync as alert_after_sync

        self._tell_alerts(await alert_after_sync(self.workspace, reports))

    @on(SyncProgressed)
    def show_sync_progress(self, message: SyncProgressed) -> None:
        short = DEMO_SHORT_TITLE if self.workspace.demo else TITLE
        self.title = _("{title} · syncing {connection} {position}/{total}: {step}…").format(
            title=short, connection=message.connection, position=message.position,
            total=message.total, step=message.what)

    @on(SyncFinished)
    def sync_finished(self, message: SyncFinished) -> None:
        self._restore_title()
        self._tell_sync_outcome(message.reports)
        # Only the visible area reloads now; the others read again when shown.
        for screen in reversed(self.screen_stack):
            if isinstance(screen, LiveAreaScreen):
                screen.load()
                break

    def _tell_sync_outcome(self, reports: list[SyncReport]) -> None:
        if not reports:
            self.notify(_("No tools to sync: add one on the Connections screen (key 6)."),
                        severity="warning")
            return
        failed = [report for report in reports if not report.ok]
        for report in failed:
            self.notify(
                _("{error}\nThe cockpit keeps showing the state of the last good sync.").format(
                    error=report.error),
                title=_("Sync of {connection} failed").format(connection=report.connection),
                severity="error", timeout=12, markup=False)
        done = [_("{connection} in {seconds:.1f}s").format(connection=r.connection,
                                                          seconds=r.seconds)
                for r in reports if r.ok]
        if len(done) == 1:
            self.notify(done[0], title=_("Synced"), markup=False)
        elif done:
            title = ngettext("Synced {done} of {total} tool", "Synced {done} of {total} tools",
                             len(reports)) if failed else \
                ngettext("Synced {done} tool", "Synced {done} tools", len(done))
            self.notify(", ".join(done), title=title.format(done=len(done), total=len(reports)),
                        markup=False)

    def _restore_title(self) -> None:
        self.title = DEMO_TITLE if self.workspace.demo else TITLE

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected sync failure (a bug, not a tool being down) still ends the sync;
        the opened workspace takes the home screen, one that cannot open ends the app."""
        if event.worker.group == OPENING_MODE:
            self._opening_done(event.worker)
        if event.worker.group == SYNC_GROUP and event.state == WorkerState.ERROR:
            self._restore_title()
            self.notify(f"{event.worker.error}", title=_("Sync failed"), severity="error",
                        timeout=12, markup=False)
        elif event.state == WorkerState.ERROR and _is_database_failure(event.worker.error):
            # A team's database server went away: say so; the next step reconnects.
            self.notify(f"{event.worker.error}", title=_("Database unavailable"),
                        severity="error", timeout=12, markup=False)


def _is_database_failure(error: BaseException | None) -> bool:
    from pmcockpit.storage.db import DatabaseUnavailable

    return isinstance(error, DatabaseUnavailable)


# --- entry points ---------------------------------------------------------------------


def _real_connector_opener(db: Database) -> ConnectorOpener:
    """Opens connectors for the user's connections: the row from the database, the token
    from the environment or the keyring, read only when a connector is opened."""
    from pmcockpit.services.opener import keyring_opener

    return keyring_opener(db)


def _run(app: CockpitApp) -> None:
    app.run()
    if app.return_code:  # the workspace could not be opened; the app said why
        raise SystemExit(app.return_code)


def run_cockpit(settings: Settings, *, clock: Clock = utcnow) -> None:
    """Open the cockpit on the user's database: the frame paints at once, the database
    opens behind it; a database it cannot use ends with a message and exit 1."""
    with ExitStack() as stack:
        def open_workspace() -> Workspace:
            from pmcockpit.services.workspace import Workspace
            from pmcockpit.storage.db import open_database

            db = open_database(settings.db)
            stack.callback(db.dispose)
            return Workspace(settings, db, _real_connector_opener(db))

        _run(CockpitApp(Opening(settings, open_workspace, _("Opening the database…")),
                        clock=clock))


def run_demo(settings: Settings, *, seed: int, scale: int) -> None:
    """Open the cockpit on a throwaway database connected to a simulated organisation.

    The user's database and keyring are never touched: the settings point at the
    temporary database, which disappears when the cockpit closes. The frame paints at
    once; the organisation is built behind it.
    """
    with tempfile.TemporaryDirectory(prefix="pmcockpit-demo-") as folder, \
            ExitStack() as stack:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        demo_settings = replace(settings, db=url)

        def open_workspace() -> Workspace:
            from pmcockpit.services.demo import open_demo
            from pmcockpit.storage.db import open_database

            db = open_database(url)
            stack.callback(db.dispose)
            return stack.enter_context(open_demo(db, demo_settings, seed=seed, scale=scale))

        _run(CockpitApp(Opening(demo_settings, open_workspace,
                                _("Building the simulated organisation…"), demo=True)))
