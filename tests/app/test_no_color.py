"""Readable in every theme Textual bundles, with colour and without: at 80x24, no text or
line in any area is drawn (nearly) in its own background's colour. With NO_COLOR Textual
turns the theme grey; what is left must still show.

One app per colour mode: each area is opened once and every theme tried on it (a theme
change restyles the screen in place), so the 2 x 21 x 7 looks take seconds."""

from __future__ import annotations

import pytest
from rich.color import Color, ColorType
from rich.segment import Segment

from pmcockpit.app import CockpitApp
from pmcockpit.screens.areas import AREAS
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory
from tests.app.helpers import settle

MIN_CONTRAST = 1.5
"""WCAG's ratio between text and background luminance; 1.0 is the background itself."""


def luminance(color: Color) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = color.get_truecolor()
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: Color, second: Color) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def measurable(color: Color) -> bool:
    """A colour the app chose. The ANSI themes' "default" and the 16 system colours are
    the terminal's own palette, which the app cannot know (the terminal keeps its default
    pair readable)."""
    return color.type not in (ColorType.DEFAULT, ColorType.STANDARD, ColorType.WINDOWS)


def faint_text(app: CockpitApp) -> list[str]:
    """Every run of visible text whose colour is (nearly) its background's, with where."""
    found: list[str] = []
    for row, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            text, style, _control = segment if isinstance(segment, Segment) else (*segment,)
            if not text.strip() or style is None or style.color is None \
                    or style.bgcolor is None:
                continue
            fore, back = (style.bgcolor, style.color) if style.reverse else \
                (style.color, style.bgcolor)
            if not (measurable(fore) and measurable(back)):
                continue
            if contrast(fore, back) < MIN_CONTRAST:
                found.append(f"row {row}: {text.strip()!r} ({fore.name} on {back.name})")
    return found


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
async def test_every_area_is_readable_in_every_theme(
        make_app: AppFactory, filled_db: Database, monkeypatch: pytest.MonkeyPatch,
        no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(filled_db)
    assert app.no_color is no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        themes = sorted(app.available_themes)
        assert len(themes) > 15  # every bundled theme, not only the default
        # Without colour the ANSI themes are not offered: Textual's grey filter turns
        # their terminal colours into black on black.
        assert no_color is not ("ansi-dark" in themes)
        faint: dict[str, list[str]] = {}

        async def look(where: str) -> None:
            for theme in themes:
                app.theme = theme
                await pilot.pause()
                if found := faint_text(app):
                    faint[f"{where} in {theme}"] = found

        for area in AREAS:
            await pilot.press(area.key)
            await settle(pilot)
            assert app.current_mode == area.mode
            await look(area.mode)
        await pilot.press("2", "enter")  # a checklist run: its to-do steps must show
        await settle(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
        await look("checklist run")
        assert faint == {}
