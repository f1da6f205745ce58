"""The checklist run's table: each header sits over its column, at 80 and 160 columns."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from pmcockpit.app import CockpitApp
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.services.workspace import Workspace
from tests.app.helpers import settle
from tests.app.test_checklist import fixed_app, fixed_workspace, go_to_step, open_checklist

__all__ = ["fixed_workspace"]  # the fixture, used by name

NOTE = "rotated by hand"


def screen_lines(app: CockpitApp) -> list[str]:
    return ["".join(segment.text for segment in strip)
            for strip in app.screen._compositor.render_strips()]


def column_of(lines: list[str], text: str) -> tuple[int, int]:
    """(row, cell column) where ``text`` first shows on the screen."""
    for row, line in enumerate(lines):
        if text in line:
            return row, cell_len(line[: line.index(text)])
    raise AssertionError(f"{text!r} not on screen:\n" + "\n".join(lines))


@pytest.mark.parametrize("width", [80, 160])
async def test_the_headers_sit_over_their_columns(fixed_workspace: Workspace,
                                                  width: int) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=(width, 24)) as pilot:
        await open_checklist(pilot, 2)
        assert isinstance(app.screen, ChecklistRunScreen)
        await go_to_step(pilot, "error-logs")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*(("space" if char == " " else char) for char in NOTE), "enter")
        await settle(pilot)
        lines = screen_lines(app)
        header_row, evidence_header = column_of(lines, "Evidence/note")
        note_row, note = column_of(lines, NOTE)
        _row, how_header = column_of(lines, "How")
        _row, how = column_of(lines[header_row + 1:], "hand")
        assert note_row > header_row
        assert note == evidence_header
        assert how == how_header
