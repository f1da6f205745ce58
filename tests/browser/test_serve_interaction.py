"""Beyond keys, in a real browser: the command palette runs a command, a dialog opens and
closes, a mouse click opens an area, a smaller window re-lays the app.

One chromium and one ``pmcockpit serve --demo`` for the whole module (each test opens its
own tab, so its own app and demo). What the terminal shows is read from the WebSocket
stream (see :mod:`tests.browser.test_serve`); the terminal's size in cells is read from
the resize messages the page sends the server, to turn cells into pixels for the mouse.
Copy (``y``) reaches the browser's clipboard: the app writes OSC 52, textual-serve's page
(xterm.js's clipboard addon) hands it to ``navigator.clipboard``, read back in the page.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_serve import CHROMIUM, Tab, serving

pytestmark = pytest.mark.browser
FOOTER_END = "^p Commands"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox"] if os.geteuid() == 0 else [])
        try:
            yield chromium
        finally:
            chromium.close()


class SizedTab(Tab):
    """A tab that also knows its terminal's size in cells (from the page's resizes)."""

    def __init__(self, browser: Any, url: str, permissions: tuple[str, ...] = ()) -> None:
        self.size: tuple[int, int] | None = None
        super().__init__(browser, url, permissions)
        self.socket.on("framesent", self.sent)

    def sent(self, payload: bytes | str) -> None:
        text = payload.decode(errors="replace") if isinstance(payload, bytes) else payload
        found = re.search(r'"resize",\s*\{"width":\s*(\d+),\s*"height":\s*(\d+)', text)
        if found:
            self.size = (int(found[1]), int(found[2]))

    def home(self) -> None:
        self.wait_for("Connected tools")
        self.page.focus("#terminal .xterm-helper-textarea")

    def cell(self, text: str) -> tuple[int, int]:
        """(column, row) where ``text`` starts on the terminal."""
        for row, line in enumerate(self.screen.display):
            if text in line:
                return line.index(text), row
        raise AssertionError(f"{text!r} not shown; the screen:\n{self.text()}")

    def click(self, text: str) -> None:
        """A mouse click in the middle of the first cell of ``text``."""
        assert self.size is not None, "the page never told the server its size"
        box = self.page.locator("#terminal .xterm-screen").bounding_box()
        assert box is not None
        column, row = self.cell(text)
        width, height = box["width"] / self.size[0], box["height"] / self.size[1]
        self.page.mouse.click(box["x"] + (column + 0.5) * width,
                              box["y"] + (row + 0.5) * height)


def _tab(browser: Any, url: str, request: pytest.FixtureRequest,
         permissions: tuple[str, ...] = ()) -> SizedTab:
    tab = SizedTab(browser, url, permissions)
    request.addfinalizer(tab.context.close)
    tab.home()
    return tab


def test_the_palette_runs_a_command(browser: Any, served: str,
                                    request: pytest.FixtureRequest) -> None:
    tab = _tab(browser, served, request)
    tab.page.keyboard.press("Control+p")
    tab.wait_for("Search for commands")
    tab.page.keyboard.type("Go: Audit")
    tab.wait_for("Every action taken in a tool")
    tab.page.keyboard.press("Enter")
    tab.wait_for("— Audit")
    assert "Search for commands" not in tab.text()


def test_a_dialog_opens_and_closes(browser: Any, served: str,
                                   request: pytest.FixtureRequest) -> None:
    tab = _tab(browser, served, request)
    tab.page.keyboard.press("?")
    tab.wait_for("Escape, ? or q to close")
    tab.page.keyboard.press("Escape")
    tab.wait_for_gone("Escape, ? or q to close")
    assert "Connected tools" in tab.text()


def test_a_click_opens_the_area_of_a_home_panel(browser: Any, served: str,
                                                request: pytest.FixtureRequest) -> None:
    tab = _tab(browser, served, request)
    assert "— Connections" not in tab.text()
    tab.click("Connected tools")
    tab.wait_for("— Connections")


def test_a_smaller_window_re_lays_the_app(browser: Any, served: str, tmp_path: Path,
                                          request: pytest.FixtureRequest) -> None:
    tab = _tab(browser, served, request)
    wide = tab.size
    assert wide is not None
    tab.wait_until(lambda: _footer_fits(tab, wide[0]), f"the footer {wide[0]} wide")
    tab.page.set_viewport_size({"width": 800, "height": 600})
    tab.wait_until(lambda: tab.size is not None and tab.size[0] < wide[0], "a resize")
    narrow = tab.size
    assert narrow is not None
    # The footer's last key ends at the terminal's right edge: a footer ending at the
    # new, narrower edge is the app laid out again for it.
    tab.wait_until(lambda: _footer_fits(tab, narrow[0]), f"the footer {narrow[0]} wide")
    tab.page.screenshot(path=str(tmp_path / "narrow.png"))
    print("terminal sizes (columns, rows):", json.dumps({"wide": wide, "narrow": narrow}))


def test_y_copies_to_the_browsers_clipboard(browser: Any, served: str,
                                            request: pytest.FixtureRequest) -> None:
    tab = _tab(browser, served, request, ("clipboard-read", "clipboard-write"))
    tab.page.keyboard.press("6")
    tab.wait_for("— Connections")
    tab.wait_until(lambda: "http://" in tab.text(), "a tool's URL in the table")
    tab.page.keyboard.press("y")
    tab.wait_for("Copied URL of")
    sent = re.findall(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07", bytes(tab.received))
    assert sent, "the app sent no OSC 52 copy"
    expected = base64.b64decode(sent[-1]).decode()
    assert expected.startswith("http")
    assert expected in tab.text()  # the selected tool's URL, as the table shows it
    tab.wait_until(lambda: tab.page.evaluate("navigator.clipboard.readText()") == expected,
                   f"{expected!r} on the browser's clipboard")


def _footer_fits(tab: SizedTab, columns: int) -> bool:
    """A footer line ends (its palette key) within the last cells of ``columns``."""
    return any(columns - 3 <= line.index(FOOTER_END) + len(FOOTER_END) <= columns
               for line in tab.screen.display if FOOTER_END in line)
