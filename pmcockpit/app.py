"""The cockpit: a Textual app with one mode per area (Home, Checklist, Permissions, ...).

``run_cockpit`` opens it on the user's database; ``run_demo`` on a throwaway
database connected to simulated tools. The areas come from
:data:`pmcockpit.screens.areas.AREAS`; each is one key away and one palette
command away.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar, NoReturn

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from pmcockpit.config import Settings
from pmcockpit.screens.areas import AREAS, HOME, Area
from pmcockpit.screens.base import AreaScreen, Clock
from pmcockpit.screens.commands import GoCommands, HelpCommands
from pmcockpit.screens.help import HelpScreen, keys_of
from pmcockpit.services.workspace import ConnectorOpener, Workspace
from pmcockpit.storage.db import Database, DatabaseError, open_database
from pmcockpit.storage.models import utcnow
from pmcockpit.widgets.summary_panel import SummaryPanel

TITLE = "pmcockpit"
DEMO_TITLE = "pmcockpit DEMO (simulated, nothing real touched)"
"""Short enough to keep the area's name beside it in an 80-column header."""


def _area_binding(area: Area) -> Binding:
    return Binding(area.key, f"go({area.mode!r})", area.title, id=area.binding_id,
                   tooltip=area.purpose)


class CockpitApp(App[None]):
    """The administrator's cockpit over one :class:`Workspace`."""

    CSS_PATH = "app.tcss"
    TITLE = TITLE
    DEFAULT_MODE = HOME
    COMMANDS = App.COMMANDS | {GoCommands, HelpCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        *(_area_binding(area) for area in AREAS),
        Binding("question_mark", "help", "Help", id="app.help",
                tooltip="Every key of this screen"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave the cockpit"),
        # Replaces Textual's "ctrl+c tells you how to quit": here it quits, as in a shell.
        # With text selected, the screen's own ctrl+c copies it instead.
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_q"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True,
                id="app.command_palette", tooltip="Search every command"),
    ]

    def __init__(self, workspace: Workspace, *, clock: Clock = utcnow) -> None:
        super().__init__()
        self.workspace = workspace
        self.clock = clock
        """Gives "now"; tests fix it so what the screens show does not move."""
        for area in AREAS:
            self.add_mode(area.mode, partial(self._build_area, area))
        if workspace.demo:
            self.title = DEMO_TITLE
            self.add_class("-demo")
        self._unknown_theme: str | None = None
        if workspace.settings.theme in self.available_themes:
            self.theme = workspace.settings.theme
        else:
            self._unknown_theme = workspace.settings.theme
        self.set_keymap(workspace.settings.keymap)

    @property
    def area_modes(self) -> list[str]:
        return [area.mode for area in AREAS]

    def _build_area(self, area: Area) -> AreaScreen:
        return area.screen(self.workspace, clock=self.clock, title=area.title)

    def on_mount(self) -> None:
        if self._unknown_theme is not None:
            self.notify(
                f"Unknown theme {self._unknown_theme!r}; using {self.theme!r}. Known: "
                + ", ".join(sorted(self.available_themes)),
                severity="warning",
            )
        for note in self.workspace.notes:
            self.notify(note, timeout=10)

    def action_go(self, mode: str) -> None:
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
            self.notify(f"The {event.target.title()} screen is not in this version yet.",
                        severity="warning")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Our help screen replaces Textual's key panel ("Keys").
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command


# --- entry points ---------------------------------------------------------------------


def _real_connector_opener(settings: Settings, db: Database) -> ConnectorOpener:
    """Opens connectors for the user's connections: the row from the database, the token
    from the environment or the keyring, read only when a connector is opened."""
    from pmcockpit.services.opener import keyring_opener

    return keyring_opener(db)


def _fail(message: str) -> NoReturn:
    print(f"pmcockpit: {message}", file=sys.stderr)
    raise SystemExit(1)


def run_cockpit(settings: Settings, *, clock: Clock = utcnow) -> None:
    """Open the cockpit on the user's database; a database it cannot use ends with exit 1."""
    try:
        db = open_database(settings.db)
    except DatabaseError as error:
        _fail(str(error))
    try:
        workspace = Workspace(settings, db, _real_connector_opener(settings, db))
        CockpitApp(workspace, clock=clock).run()
    finally:
        db.dispose()


def run_demo(settings: Settings, *, seed: int, scale: int) -> None:
    """Open the cockpit on a throwaway database connected to a simulated organisation.

    The user's database and keyring are never touched: the settings point at the
    temporary database, which disappears when the cockpit closes.
    """
    from pmcockpit.services.demo import open_demo

    with tempfile.TemporaryDirectory(prefix="pmcockpit-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        demo_settings = replace(settings, db=url)
        try:
            db = open_database(url)
        except DatabaseError as error:
            _fail(str(error))
        try:
            with open_demo(db, demo_settings, seed=seed, scale=scale) as workspace:
                CockpitApp(workspace).run()
        finally:
            db.dispose()
