"""Timing a screen as a user sees it: from the key reaching the app to the first frame
the app renders that shows what the key asked for.

``Pilot.press`` waits until the whole process is idle (workers, timers and all), so it
times the settling, not the paint. Here the key goes to the driver's queue like a real
one, and the clock stops in ``App._display`` (where a frame goes to the terminal; in a
headless run the frame is composed all the same) at the first frame after ``done()``
holds. A key whose result looks exactly like what was on screen (the same rows, the same
count: "lo" and "l" may show the same first page) has no frame to wait for: Textual paints
nothing when nothing changed, and the next frame is the cursor's blink, half a second on.
Such a key is done when ``done()`` holds and nothing on the screen waits to be painted
(:data:`NO_FRAME_DUE` counts them).

``area_switches`` times 1 -> 3 -> 4 -> 1 -> 3 -> 4 ... in a running cockpit: the first
visit of each area, then the revisits.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

TIMEOUT = 20.0
QUIET = 0.05
"""Seconds after ``done()`` with nothing to paint before a key counts as shown as it was."""
NO_FRAME_DUE: list[float] = []
"""The keys (their times) that changed nothing on screen: no frame was due."""


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(0.95 * len(values) + 0.5) - 1)]


def _key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key`` (a character, or a name: "backspace")."""
    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    return events.Key(key, None)


async def key_to_frame(app: App[Any], key: str, done: Callable[[], bool]) -> float:
    """Seconds from sending ``key`` to the first frame rendered once ``done()`` holds."""
    driver = app._driver
    assert driver is not None
    return await frame_after(app, lambda: driver.send_message(_key_event(key)), done)


async def frame_after(app: App[Any], act: Callable[[], object],
                      done: Callable[[], bool] = lambda: True) -> float:
    """Seconds from calling ``act()`` to the first frame rendered once ``done()`` holds."""
    painted: list[float] = []
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None and not painted and done():
            painted.append(time.perf_counter())

    app._display = display  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        act()
        held: float | None = None
        while not painted:
            now = time.perf_counter()
            if now - started > TIMEOUT:
                raise TimeoutError(f"no frame within {TIMEOUT} s")
            if held is None and _holds(done):
                held = now
            elif held is not None and now - held > QUIET and not _paint_due(app):
                NO_FRAME_DUE.append(held - started)
                return held - started
            await asyncio.sleep(0.001)
        return painted[0] - started
    finally:
        del app._display


def _holds(done: Callable[[], bool]) -> bool:
    try:
        return done()
    except NoMatches:  # the screen is not mounted yet
        return False


def _paint_due(app: App[Any]) -> bool:
    """Whether anything on the active screen waits to be laid out or painted."""
    screen = app.screen
    return bool(screen._dirty_widgets or screen._layout_required
                or screen._repaint_required) or any(
        widget._repaint_required or widget._layout_required
        for widget in screen.walk_children(Widget, with_self=False))


async def settle(pilot: Pilot[Any]) -> None:
    """Every worker done (one replaced by a newer read counts as done) and its messages in."""
    while True:
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()


def rows_on(app: App[Any], screen_type: type[Any]) -> Callable[[], bool]:
    """Done when the active screen is a ``screen_type`` whose first table has rows."""
    def done() -> bool:
        screen = app.screen
        if not isinstance(screen, screen_type):
            return False
        tables = list(screen.query(DataTable))
        return not tables or any(table.row_count and table.display for table in tables)
    return done


async def area_switches(pilot: Pilot[Any], areas: dict[str, type[Any]],
                        rounds: int = 3) -> dict[str, float]:
    """Key to rows painted for each area key in turn, ``rounds`` times: the first visit
    of each, then the p95 and median of the revisits (each revisit settles first, as a
    user reads before the next key)."""
    app = pilot.app
    first: dict[str, float] = {}
    again: list[float] = []
    worst: dict[str, float] = {}
    for round_ in range(rounds):
        for key, screen_type in areas.items():
            elapsed = await key_to_frame(app, key, rows_on(app, screen_type))
            if round_ == 0:
                first[key] = elapsed
            else:
                again.append(elapsed)
                worst[key] = max(worst.get(key, 0.0), elapsed)
            await settle(pilot)
    figures = {f"first visit, key {key} s": value for key, value in first.items()}
    figures["revisit p95 s"] = p95(again)
    figures["revisit median s"] = statistics.median(again)
    figures.update({f"slowest revisit, key {key} s": value for key, value in worst.items()})
    return figures


async def built_ahead(pilot: Pilot[Any], modes: tuple[str, ...]) -> None:
    """Wait until the cockpit has built ``modes`` ahead (as it does once Home is read)
    and their reads are in: a user who looks at Home for a second before the key."""
    app = pilot.app
    while any(mode not in app._screen_stacks for mode in modes):
        await pilot.pause(0.01)
    await settle(pilot)
