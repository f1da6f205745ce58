"""The areas as app modes, cheap to switch: each area's screen is built once and kept
(Textual keeps a mode's screen), the heavy ones are built ahead once Home is read, and a
switch to a screen already built paints its last rows at once while its refresh runs in a
worker (see :class:`pmcockpit.screens.base.LiveAreaScreen`)."""

from __future__ import annotations

import gc
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App
from textual.widget import AwaitMount

from pmcockpit.screens.areas import Area
from pmcockpit.screens.base import AreaScreen, Clock

if TYPE_CHECKING:
    from pmcockpit.services.workspace import Workspace

PREBUILT_AREAS = ("permissions", "queue")
"""Areas built ahead once Home is read (the others open within a frame or two)."""
MASK_NEW_SCREEN = 0.05
"""Textual's pause in painting while a mode's screen is first built."""
PREBUILD_PAUSE = 0.2
"""Seconds between Home's read and the first area built ahead, and between two."""


class AreaModes(App[None]):
    """The cockpit's mode handling; :class:`pmcockpit.app.CockpitApp` adds the rest."""

    workspace: Workspace
    clock: Clock
    prebuilt_areas: tuple[str, ...] = PREBUILT_AREAS
    """The areas built ahead once Home is read (none: each is built at its key)."""
    _prebuilt = False
    _mask = MASK_NEW_SCREEN

    @property
    def ready(self) -> bool:
        raise NotImplementedError

    def _build_area(self, area: Area) -> AreaScreen:
        screen = area.screen(self.workspace, clock=self.clock, title=area.title)
        # Its widgets take their styles from the stylesheet as they mount. Without this
        # mark, Textual re-styles every widget of every screen (twice) when it is first
        # shown: 0.1-0.2 s of a key with Permissions and Queue built.
        screen._css_update_count = self._css_update_count
        return screen

    def build_ahead(self) -> None:
        """Once: build :attr:`prebuilt_areas`, one per pause, behind the screen shown."""
        if not self._prebuilt:
            self._prebuilt = True
            self.set_timer(PREBUILD_PAUSE, partial(self._prebuild_next, self.prebuilt_areas))

    def _prebuild_next(self, todo: tuple[str, ...]) -> None:
        """Build the next area of ``todo`` ahead of its key: composed, laid out and read,
        so its key shows rows at once (the key then refreshes them)."""
        if not todo or not self.ready or not self._running:
            return  # (not running: shutting down, its screens being closed one by one)
        mode, rest = todo[0], todo[1:]
        if mode not in self._screen_stacks:
            # Textual's own first step of switch_mode, without the switch: the screen is
            # mounted and laid out at the app's size, and paints nothing until shown.
            self._init_mode(mode)
        if rest:
            self.set_timer(PREBUILD_PAUSE, partial(self._prebuild_next, rest))
        elif not gc.get_freeze_count():
            # What is alive now (Textual, SQLAlchemy, the screens) stays: out of the
            # collector's full passes, which took 0.1-0.2 s of a key at 50k accounts.
            # Once per process (a test session opens many cockpits).
            gc.freeze()

    def switch_mode(self, mode: str) -> AwaitMount:
        # A screen already built (visited, or built ahead) shows its last rows at once:
        # no need for Textual's 50 ms mask over a half-built frame.
        self._mask = 0.0 if mode in self._screen_stacks else MASK_NEW_SCREEN
        try:
            return super().switch_mode(mode)
        finally:
            self._mask = MASK_NEW_SCREEN

    def delay_update(self, delay: float = MASK_NEW_SCREEN) -> None:
        if self._mask:
            super().delay_update(min(delay, self._mask))
