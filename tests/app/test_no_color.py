"""Readable without colour: with NO_COLOR, at 80x24, no text in any area is drawn in its
own background's colour (Textual turns the theme grey; what is left must still show)."""

from __future__ import annotations

import pytest
from rich.color import Color
from rich.segment import Segment

from pmcockpit.app import CockpitApp
from pmcockpit.screens.areas import AREAS
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
            if contrast(fore, back) < MIN_CONTRAST:
                found.append(f"row {row}: {text.strip()!r} ({fore.name} on {back.name})")
    return found


async def test_every_area_is_readable_without_colour(
        make_app: AppFactory, filled_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(filled_db)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        faint: dict[str, list[str]] = {}
        for area in AREAS:
            await pilot.press(area.key)
            await settle(pilot)
            assert app.current_mode == area.mode
            if found := faint_text(app):
                faint[area.mode] = found
        assert faint == {}
