"""Run a Textual program until its first paint, then exit: ``python -m benchmarks.first_paint
TARGET [ARG ...]``, timed from outside as a whole process.

How first paint is measured: this wrapper replaces ``textual.app.App.run`` for the one
process so the app runs headless (Textual's ``HeadlessDriver``, 80x24, as ``run_test``
does) with an ``auto_pilot`` that, once the app is ready (first screen composed and
mounted), asks ``call_after_refresh(app.exit)``: the app leaves right after the first
frame has been rendered. The process's wall time from start to exit is then "start to
first paint": interpreter start, imports, opening the database, compose, first
render, and the exit (the same for every program measured).

TARGET is ``pmcockpit`` (its command line follows: ``pmcockpit demo``) or ``bare``: a
bare Textual app of Header, Static and Footer, the reference.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    """The reference: what any Textual program costs to show a frame."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello")
        yield Footer()


async def _exit_after_first_paint(pilot: Pilot[Any]) -> None:
    pilot.app.call_after_refresh(pilot.app.exit)


def _patch_run() -> None:
    original = App.run

    def run(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        kwargs["headless"] = True
        kwargs["auto_pilot"] = _exit_after_first_paint
        return original(self, *args, **kwargs)

    App.run = run  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    _patch_run()
    if not argv or argv[0] == "bare":
        BareApp().run()
        return
    if argv[0] != "pmcockpit":
        raise SystemExit(f"unknown target {argv[0]!r}: pmcockpit or bare")
    sys.argv = ["pmcockpit", *argv[1:]]
    runpy.run_module("pmcockpit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
