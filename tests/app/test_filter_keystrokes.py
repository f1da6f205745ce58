"""What a filter keystroke repaints: the box alone while the read runs (no layout of the
screen), then the rows; the lead line is laid out again only when it changes height, and
the queue's detail pane reads a ticket again only when another one is under the cursor."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from pmcockpit.screens.queue import QueueScreen
from pmcockpit.storage.db import Database
from pmcockpit.widgets.filter_box import FilterBox
from pmcockpit.widgets.line_update import update_line
from pmcockpit.widgets.queue_detail import TicketPane
from tests.app.conftest import AppFactory
from tests.app.helpers import settle
from tests.app.test_queue_paging import fill


def layouts_of(widget: Widget) -> list[bool]:
    """The ``layout`` flag of each refresh ``widget`` asks for from now on."""
    asked: list[bool] = []
    refresh = widget.refresh

    def spy(*regions: Any, **flags: Any) -> Any:
        asked.append(bool(flags.get("layout")))
        return refresh(*regions, **flags)

    widget.refresh = spy  # type: ignore[method-assign]
    return asked


async def test_a_keystroke_leaving_the_ticket_under_the_cursor_does_not_read_it_again(
        db: Database, make_app: AppFactory) -> None:
    fill(db)
    app = make_app(db)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        pane = str(screen.query_one("#ticket-text", Static).render())
        assert "rm#300" in pane  # the most late, under the cursor
        reads: list[str] = []
        read_pane = screen.read_pane

        def counted(key: str) -> None:
            reads.append(key)
            read_pane(key)

        screen.read_pane = counted  # type: ignore[method-assign,assignment]
        await pilot.press("slash")
        box = screen.query_one(FilterBox)
        box_layouts = layouts_of(box)
        await pilot.press("3")  # rm#300 matches: still under the cursor
        await settle(pilot)
        assert screen.shown is not None and screen.shown.text == "3"
        assert reads == []
        assert box_layouts and not any(box_layouts)  # typing repaints the box alone
        await pilot.press("1")  # "31": rm#231 is now the most late
        await settle(pilot)
        assert reads == ["rm#231"]
        assert "rm#231" in str(screen.query_one(TicketPane).query_one(Static).render())


class Lines(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("12 of the queue match", id="line")


async def test_a_line_is_laid_out_again_only_when_it_changes_height() -> None:
    app = Lines()
    async with app.run_test(size=(40, 10)) as pilot:
        line = app.query_one("#line", Static)
        asked = layouts_of(line)
        update_line(line, "12 of the queue match", "7 of the queue match")
        await pilot.pause()
        assert asked == [False] and str(line.render()) == "7 of the queue match"
        longer = "7 of the queue match · 3 breached this week · 2 waiting for the requester"
        update_line(line, "7 of the queue match", longer)
        await pilot.pause()
        assert asked[1] is True and line.size.height == 2
