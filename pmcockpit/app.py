"""The cockpit: a Textual app with one mode per area (Home, Checklist, Permissions, ...).

``run_cockpit`` opens it on the user's database; ``run_demo`` on a throwaway database
connected to simulated tools. The areas come from :data:`pmcockpit.screens.areas.AREAS`;
each is one key away and one palette command away.
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
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import N_, _
from pmcockpit.messages import HomeSummaryLoaded
from pmcockpit.screens.area_modes import AreaModes
from pmcockpit.screens.areas import AREAS, HOME, Area
from pmcockpit.screens.base import Clock
from pmcockpit.screens.commands import GoCommands, HelpCommands
from pmcockpit.screens.help import HelpScreen, keys_of
from pmcockpit.screens.opening import Opening, OpeningScreen
from pmcockpit.screens.sync_app import DEMO_SHORT_TITLE, SYNC_GROUP, TITLE, SyncingApp
from pmcockpit.screens.terminal import end_when_terminal_goes
from pmcockpit.screens.write_mode import WriteModeDialog
from pmcockpit.widgets.area_tabs import area_counts
from pmcockpit.widgets.line_breaks import allow_cjk_breaks
from pmcockpit.widgets.summary_panel import SummaryPanel
from pmcockpit.widgets.write_badge import write_badge

allow_cjk_breaks()  # Chinese wraps between characters (see widgets.line_breaks)

if TYPE_CHECKING:  # loaded after the first paint, by the workers that need them
    from datetime import datetime, timedelta

    from pmcockpit.config import Settings
    from pmcockpit.services.workspace import ConnectorOpener, Workspace
    from pmcockpit.storage.db import Database

DEMO_TITLE = _("pmcockpit DEMO (simulated, nothing real touched)")
"""Short enough to keep the area's name beside it in an 80-column header."""

OPENING_MODE = "opening"


def _area_binding(area: Area) -> Binding:
    # Off the footer: the tab line under the header names each area with its key.
    return Binding(area.key, f"go({area.mode!r})", area.title, id=area.binding_id,
                   tooltip=area.purpose, show=False)


class CockpitApp(AreaModes, SyncingApp):
    """The administrator's cockpit over one :class:`Workspace`."""

    CSS_PATH = "app.tcss"
    TITLE = TITLE
    DEFAULT_MODE = HOME
    COMMANDS = App.COMMANDS | {GoCommands, HelpCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(_area_binding(area) for area in AREAS),
        Binding("s", "sync_all", _("Sync all"), id="app.sync",
                tooltip=_("Pull every connected tool's state now; progress in the header")),
        Binding("y", "copy", _("Copy"), id="app.copy",
                tooltip=_("Copy the selected row's key to your clipboard, over SSH too")),
        # ctrl+w: w and W are screen keys (Downgrade, Mark wave); this one works everywhere.
        Binding("ctrl+w", "write_mode", _("Write mode"), show=False, id="app.write_mode",
                tooltip=_("Arm write mode for a while in a read-only installation, with a "
                          "reason kept in the audit log; ctrl+w again drops back")),
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

    area_counts: reactive[dict[str, int]] = reactive(dict, always_update=True)
    """What waits in each area (overdue runs, accounts to review, ...), for the tab line."""

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
            self.add_class("-demo")
        self._badge = ""
        self._armed = False
        self._restore_title()
        settings = workspace.settings
        if self.no_color:  # Textual's grey filter would draw the ANSI themes black on black
            for name in ("ansi-dark", "ansi-light"):
                self.unregister_theme(name)
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
        self._tick_write_mode()
        self.set_interval(1, self._tick_write_mode)
        end_when_terminal_goes(self)  # a lost SSH session ends the app cleanly

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
            self.notify("\n".join(item.line() for item in done), markup=False, timeout=15,
                        title=_("Actions left in doubt by a crash"))
        if not self.workspace.demo:  # the demo's outbox item waits for the user's sync
            self._tell_outbox(await send_pending(self.workspace))

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
        self._tick_write_mode()
        self._tell_notes()
        self.opened.set()

    # --- copy, write mode -------------------------------------------------------------------

    def action_copy(self) -> None:
        screen = self.screen
        copy_target = getattr(screen, "copy_target", None)  # area screens and their pushes
        target: tuple[str, str] | None = copy_target() if callable(copy_target) else None
        if target is None:
            self.notify(_("Nothing to copy here: select a row first."), severity="warning")
            return
        what, text = target
        self.copy_to_clipboard(text)
        self.notify(_("Copied {what}: {text}").format(what=what, text=text), markup=False)

    def action_write_mode(self) -> None:
        if not self.ready:
            return
        if not self.workspace.settings.read_only:
            self.notify(_("Write mode is always on here. Set read_only = true in the config "
                          "(pmcockpit config path) to make read-only the default."))
        elif not self.workspace.read_only:
            self.disarm_write_mode()
        else:
            self.push_screen(WriteModeDialog(self.workspace), self._write_mode_armed)

    def _write_mode_armed(self, until: datetime | None) -> None:
        if until is not None:
            self.notify(_("Write mode armed; it drops back to read-only by itself. "
                          "ctrl+w ends it now."), title=_("Write mode"))
            self._tick_write_mode()

    @work(thread=True, exit_on_error=False, group="write-mode",
          description=N_("Ending write mode"))
    def disarm_write_mode(self) -> None:
        from pmcockpit.services.write_mode import disarm

        disarm(self.workspace)
        self.call_from_thread(self._tick_write_mode)

    def _tick_write_mode(self) -> None:
        """The header's READ-ONLY / WRITE 29m left, and the drop back when time is up."""
        if not self.ready:
            return
        armed = self.workspace.settings.read_only and not self.workspace.read_only
        if self._armed and not armed:
            self.notify(_("Write mode ended: read-only again."), title=_("Write mode"))
        self._armed = armed
        badge = write_badge(self.workspace)
        if badge != self._badge:
            self._badge = badge
            if not self.sync_running():
                self._restore_title()

    @on(HomeSummaryLoaded)
    def count_areas(self, message: HomeSummaryLoaded) -> None:
        self.area_counts = area_counts(message.summary)
        self.build_ahead()  # Home is painted and read: the heavy areas behind it

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Textual's screenshot, into the current folder when there is no Downloads one
        (a server over SSH has none)."""
        if path is None:
            import platformdirs

            downloads = Path(platformdirs.user_downloads_dir())
            path = str(downloads if downloads.is_dir() else Path.cwd())
        super().action_screenshot(filename, path)

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
        yield SystemCommand(_("Copy the selected key"),
                            _("To your clipboard, over SSH too (key y)"), self.action_copy)
        yield SystemCommand(_("Write mode: arm or end"),
                            _("Write for a while in a read-only setup, audited (key ctrl+w)"),
                            self.action_write_mode)
        # Our help screen replaces Textual's key panel ("Keys").
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    def on_resize(self) -> None:
        if not self.sync_running():
            self._restore_title()

    def _restore_title(self) -> None:
        # Narrow, or with READ-ONLY / WRITE beside it: the short demo title.
        roomy = (self.size.width >= 80 or not self.size.width) and not self._badge
        long_title = DEMO_TITLE if roomy else DEMO_SHORT_TITLE
        base = long_title if self._demo else TITLE
        self.title = f"{base} · {self._badge}" if self._badge else base

    @property
    def _demo(self) -> bool:
        return self.workspace.demo if self.ready else self._opening is not None and \
            self._opening.demo

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected sync failure (a bug, not a tool being down) still ends the sync;
        the opened workspace takes the home screen, one that cannot open ends the app."""
        if event.worker.group == OPENING_MODE:
            self._opening_done(event.worker)
        if event.worker.group == SYNC_GROUP and event.state == WorkerState.ERROR:
            self._restore_title()
            self.notify(f"{event.worker.error}", title=_("Sync failed"), severity="error",
                        timeout=12, markup=False)
        elif event.state == WorkerState.ERROR:
            from pmcockpit.storage.db import DatabaseUnavailable

            if isinstance(event.worker.error, DatabaseUnavailable):
                # A team's database server went away: say so; the next step reconnects.
                self.notify(f"{event.worker.error}", title=_("Database unavailable"),
                            severity="error", timeout=12, markup=False)


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


def run_cockpit(settings: Settings, *, clock: Clock = utcnow,
                write_for: tuple[timedelta, str] | None = None) -> None:
    """Open the cockpit on the user's database: the frame paints at once, the database
    opens behind it; a database it cannot use ends with a message and exit 1.
    ``write_for`` (how long, why) arms write mode at once, recorded in the audit log."""
    with ExitStack() as stack:
        def open_workspace() -> Workspace:
            from pmcockpit.services.workspace import Workspace
            from pmcockpit.storage.db import open_database

            db = open_database(settings.db)
            stack.callback(db.dispose)
            workspace = Workspace(settings, db, _real_connector_opener(db))
            from pmcockpit.services.check_targets import first_start_note

            workspace.notes.extend(filter(None, [first_start_note(workspace)]))
            if write_for is not None:
                from pmcockpit.services.write_mode import arm

                arm(workspace, *write_for)
            return workspace

        _run(CockpitApp(Opening(settings, open_workspace, _("Opening the database…")),
                        clock=clock))


def run_demo(settings: Settings, *, seed: int, scale: int, read_only: bool = False) -> None:
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
            workspace = stack.enter_context(open_demo(db, demo_settings, seed=seed,
                                                      scale=scale))
            if read_only:  # built with writes (its history), then shown read-only
                workspace.settings = replace(workspace.settings, read_only=True)
            return workspace

        _run(CockpitApp(Opening(demo_settings, open_workspace,
                                _("Building the simulated organisation…"), demo=True)))
