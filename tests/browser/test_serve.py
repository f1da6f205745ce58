"""``pmcockpit serve --demo`` in a real browser: Debian's chromium driven by Playwright.

The terminal is drawn on a canvas, so its text is not in the page: the test reads what
the browser shows from the WebSocket stream the page renders, decoded by a terminal
emulator (pyte). Nothing downloads a browser: Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
READY = 180.0
"""Seconds for the demo to build its organisation and paint Home on a busy machine."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``pmcockpit serve --demo`` on a free loopback port; its URL."""
    with serving(tmp_path) as url:
        yield url


@contextlib.contextmanager
def serving(tmp_path: Path) -> Iterator[str]:
    """``pmcockpit serve --demo`` on a free loopback port, its files in ``tmp_path``."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMCOCKPIT_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), PMCOCKPIT_CONFIG=str(home / "c.toml"))
    port = _free_port()
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "pmcockpit", "serve", "--demo", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "pmcockpit serve never answered"
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=0.2)  # still running: ask again
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the tabs' apps it started
        server.wait(timeout=30)


class Tab:
    """One browser tab on the served page, and what its terminal shows, rebuilt from the
    bytes the server streams to it (a VT emulator, pyte, decodes them)."""

    def __init__(self, browser: Any, url: str, permissions: tuple[str, ...] = ()) -> None:
        import pyte

        self.screen = pyte.Screen(240, 80)
        self.stream = pyte.ByteStream(self.screen)
        self.received = bytearray()
        """Every byte streamed to the terminal, escape sequences pyte drops included."""
        # A context of its own, so permissions granted (the clipboard) stay with this tab.
        self.context = browser.new_context(viewport={"width": 1280, "height": 800},
                                           permissions=list(permissions))
        self.page = self.context.new_page()
        self.page.route("https://fonts.googleapis.com/**", lambda route: route.abort())
        self.started = time.monotonic()
        with self.page.expect_websocket() as opened:
            self.page.goto(url)
        self.socket = opened.value
        self.socket.on("framereceived", self.feed)

    def feed(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.received += payload
            self.stream.feed(payload)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display).strip("\n")

    def wait_for(self, text: str) -> float:
        """Seconds from opening the page until ``text`` is on the terminal."""
        self.wait_until(lambda: text in self.text(), f"{text!r} shown")
        return time.monotonic() - self.started

    def wait_for_gone(self, text: str) -> None:
        self.wait_until(lambda: text not in self.text(), f"{text!r} gone")

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait, frame by frame from the server, until ``condition`` holds."""
        from playwright.sync_api import TimeoutError as Timeout

        deadline = time.monotonic() + READY
        while not condition():
            left = deadline - time.monotonic()
            try:
                assert left > 0
                self.socket.wait_for_event("framereceived", timeout=left * 1000)
            except (AssertionError, Timeout):
                raise AssertionError(f"never {what}; the screen:\n{self.text()}") from None


def test_the_demo_in_chromium_reaches_permissions(served: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox"] if os.geteuid() == 0 else [])
        try:
            tab = Tab(browser, served)
            first_app_frame = tab.wait_for("pmcockpit DEMO")
            home = tab.wait_for("Connected tools")
            paint = tab.page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null")
            # Keys reach the app through xterm.js's input; focus it without clicking into
            # the cockpit (a click on a home panel would open that panel's area).
            tab.page.focus("#terminal .xterm-helper-textarea")
            tab.page.keyboard.press("3")
            tab.wait_for("— Permissions")
            tab.page.screenshot(path=str(tmp_path / "permissions.png"))
            other = Tab(browser, served)  # a second trainee: a cockpit of their own
            other.wait_for("Connected tools")
            assert "— Home" in other.text() and "— Permissions" in tab.text()
        finally:
            browser.close()
    assert (tmp_path / "permissions.png").stat().st_size > 10_000
    figures = {"first_contentful_paint_ms": paint, "first_app_frame_s": first_app_frame,
               "home_view_s": home}
    (tmp_path / "figures.json").write_text(json.dumps(figures, indent=2))
    print("browser figures:", json.dumps(figures))
