"""Small helpers for Pilot tests of the cockpit."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from pmcockpit.app import CockpitApp
from pmcockpit.widgets.summary_panel import SummaryPanel


async def settle(pilot: Pilot[None]) -> None:
    """Let the thread workers finish and their messages reach the screens."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def panel_text(app: CockpitApp, panel_id: str) -> str:
    """The plain text of a home panel: its lead, then its rows."""
    panel = app.screen.query_one(f"#{panel_id}", SummaryPanel)
    parts = [str(static.render()) for static in panel.query(Static)]
    return "\n".join(part for part in parts if part)


def notifications(app: CockpitApp) -> list[str]:
    """Every notification shown so far, as "title: message", expired ones too.

    Kept by the autouse fixture ``every_notification_kept`` (tests/app/conftest.py).
    """
    shown: list[str] = app.__dict__.get("notes_shown", [])
    return shown


async def open_palette_and_run(pilot: Pilot[None], query: str) -> None:
    """Type into the command palette and press enter once the first hit is highlighted."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    commands = pilot.app.screen.query_one(CommandList)
    # The palette searches in a worker: wait on it, however long a busy machine takes;
    # the bound only stops a palette that never finds the command from hanging the run.
    for _ in range(500):
        if commands.option_count and commands.highlighted is not None:
            break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    else:
        raise AssertionError(f"the palette found nothing for {query!r}")
    await pilot.press("enter")
    await pilot.pause()
