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
    return [f"{note.title}: {note.message}" for note in app._notifications]


async def open_palette_and_run(pilot: Pilot[None], query: str) -> None:
    """Type into the command palette and press enter once the first hit is highlighted."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    commands = pilot.app.screen.query_one(CommandList)
    for _ in range(50):
        await pilot.pause()
        if commands.option_count and commands.highlighted is not None:
            break
    await pilot.press("enter")
    await pilot.pause()
