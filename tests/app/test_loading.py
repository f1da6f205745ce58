"""Switching to an area whose data is still being read says "Loading…" in its first
frame, on the tab line, and stops saying it once the data is shown."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pmcockpit.app import CockpitApp
from pmcockpit.storage.db import Database
from pmcockpit.storage.queries import audit as audit_reads
from tests.app.conftest import AppFactory
from tests.app.helpers import settle


def tab_line(app: CockpitApp) -> str:
    """The screen's line naming the areas, as drawn."""
    lines = ["".join(segment.text for segment in strip)
             for strip in app.screen._compositor.render_strips()]
    [line] = [line for line in lines if "1 " in line and "7 " in line] or ["\n".join(lines)]
    return line


async def test_an_area_still_reading_says_loading_from_its_first_frame(
        make_app: AppFactory, filled_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    page = audit_reads.page

    def held_page(*args: Any, **kwargs: Any) -> Any:
        gate.wait(timeout=60)  # the read is slow: held until the frame was looked at
        return page(*args, **kwargs)

    monkeypatch.setattr(audit_reads, "page", held_page)
    app = make_app(filled_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Loading…" not in tab_line(app)
        try:
            await pilot.press("7")
            await pilot.pause()
            assert app.current_mode == "audit"
            line = tab_line(app)
            assert line.rstrip().endswith("Loading…") and "Audit" in line
        finally:
            gate.set()
        await settle(pilot)
        assert "Loading…" not in tab_line(app)
        assert "[7 Audit]" in tab_line(app)
