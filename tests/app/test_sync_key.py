"""The app-wide sync: key s from any area, the palette, progress in the header, one at a time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.message import Message

from pmcockpit.app import DEMO_TITLE, CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.messages import SyncFinished, SyncProgressed
from pmcockpit.screens.areas import AREAS, Area
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.services.demo import open_demo
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory
from tests.app.helpers import notifications, open_palette_and_run, settle

SIZE = (80, 24)


@pytest.fixture
def demo(db: Database, settings: Settings) -> Iterator[Workspace]:
    with open_demo(db, settings, scale=40) as workspace:
        yield workspace


def finished(messages: list[Message]) -> list[SyncFinished]:
    return [message for message in messages if isinstance(message, SyncFinished)]


async def test_s_syncs_every_tool_with_progress_in_the_header(demo: Workspace) -> None:
    messages: list[Message] = []
    titles: list[str] = []
    app = CockpitApp(demo, clock=utcnow)

    def hook(message: Message) -> None:
        messages.append(message)
        if isinstance(message, SyncProgressed):
            titles.append(app.title)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await settle(pilot)
        assert app.title == DEMO_TITLE  # given back once the sync ended
        assert any(n.startswith("Synced 5 tools: ") for n in notifications(app))
    # Bursts of steps collapse (can_replace): each tool shows at least one, in order.
    steps = [(m.connection, m.position, m.total) for m in messages
             if isinstance(m, SyncProgressed)]
    assert sorted(set(steps)) == [("feishu", 1, 5), ("gitlab", 2, 5), ("jira", 3, 5),
                                  ("redmine", 4, 5), ("zentao", 5, 5)]
    # The hook sees each step just before it shows: the title then shows the step before.
    assert len(titles) > 1 and all(" · syncing " in title for title in titles[1:])
    [done] = finished(messages)
    assert [(r.connection, r.ok) for r in done.reports] == [
        ("feishu", True), ("gitlab", True), ("jira", True), ("redmine", True), ("zentao", True)]


async def test_progress_reads_in_the_header(demo: Workspace) -> None:
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(SyncProgressed("jira", "memberships", 2, 3))
        await pilot.pause()
        assert app.title == "pmcockpit DEMO · syncing jira 2/3: memberships…"
        app.post_message(SyncFinished([]))
        await pilot.pause()
        assert app.title == DEMO_TITLE


@pytest.mark.parametrize("area", AREAS,
                         ids=lambda area: area.mode)
async def test_the_sync_key_works_from_every_area(demo: Workspace, area: Area) -> None:
    messages: list[Message] = []
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press(area.key)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await settle(pilot)
        assert app.current_mode == area.mode
    [done] = finished(messages)
    assert len(done.reports) == 5 and all(report.ok for report in done.reports)


async def test_the_palette_syncs_all_tools(demo: Workspace) -> None:
    messages: list[Message] = []
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        await open_palette_and_run(pilot, "Tools: Sync all")
        await settle(pilot)
        await settle(pilot)
    [done] = finished(messages)
    assert len(done.reports) == 5


async def test_one_sync_at_a_time(demo: Workspace) -> None:
    messages: list[Message] = []
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        app.start_sync(None)
        app.start_sync(["redmine"])
        await settle(pilot)
        await settle(pilot)
        assert any("A sync is already running" in n for n in notifications(app))
    assert len(finished(messages)) == 1


async def test_with_nothing_connected_the_sync_says_what_to_do(
    db: Database, make_app: AppFactory
) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await settle(pilot)
        await settle(pilot)
        assert any("No tools to sync: add one on the Connections screen (key 6)." in n
                   for n in notifications(app))


async def test_after_a_sync_the_visible_area_reads_again(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CockpitApp(demo, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LiveAreaScreen)
        loads: list[str] = []
        original = screen.load

        def counting_load() -> None:
            loads.append("load")
            original()

        monkeypatch.setattr(screen, "load", counting_load)
        await pilot.press("s")
        await settle(pilot)
        await settle(pilot)
        assert loads == ["load"]
