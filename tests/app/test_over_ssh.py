"""The cockpit over SSH: areas named on the tab line, y copies, read-only in the header,
write mode armed for a while (audited), and the app ends when the terminal hangs up."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.binding import Binding

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.areas import AREAS
from pmcockpit.screens.write_mode import WriteModeDialog
from pmcockpit.services import audit_log
from pmcockpit.services.demo import open_demo
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import AuditEntry
from pmcockpit.widgets.area_tabs import AreaTabs, fit
from tests.app.conftest import AppFactory
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, settle

TABS = [area.tab for area in AREAS]


def tab_line(app: CockpitApp) -> str:
    return str(app.screen.query_one(AreaTabs).render())


@pytest.fixture
def demo(db: Database, settings: Settings) -> Iterator[Workspace]:
    with open_demo(db, settings, scale=40) as workspace:
        yield workspace


@pytest.mark.parametrize(("width", "expected"), [
    (160, "1 Home  2 Checklist (2)  3 Permissions (8)  4 Queue  5 Rollout  6 Connections"),
    (80, "1 Home  2 Check (2)  3 Perms (8)  4 Queue  5 Rollout  6 Connections  7 Audit"),
    (64, "1 Home 2 Check (2) 3 Perms (8) 4 Queue 5 Roll 6 Tools 7 Audit"),
    (60, "1 Home 2 Check 3 Perms 4 Queue 5 Rollout 6 Tools 7 Audit"),
    (40, "1H 2C 3P 4Q 5R 6T 7A"),
])
def test_the_tab_line_shortens_as_the_width_demands(width: int, expected: str) -> None:
    labels, separator = fit(TABS, width, {"checklist": 2, "permissions": 8}, "home")
    line = separator.join(label for _tab, label in labels)
    assert line.startswith(expected)
    assert len(line) + 2 <= width


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (160, 48)])
async def test_every_area_is_named_with_its_key_and_the_current_one_marked(
        make_app: AppFactory, filled_db: Database, size: tuple[int, int]) -> None:
    app = make_app(filled_db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        line = tab_line(app)
        assert line.startswith("[1 H")
        for key in "1234567":
            assert key in line
        await pilot.press("7")
        await settle(pilot)
        assert "[7 Audit]" in tab_line(app)
        assert "1 Home" in tab_line(app) or "1H" in tab_line(app)
        if size[0] >= 80:  # what waits: accounts to review, from the home summary
            assert "Perm" in tab_line(app) and "(" in tab_line(app)


async def test_y_copies_the_audit_id_and_says_so(demo: Workspace) -> None:
    app = CockpitApp(demo, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        with demo.db.session() as session:
            newest = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc())
                                     ).first()
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == str(newest)
        assert f": Copied audit id: {newest}" in notifications(app)
        await pilot.press("1", "y")
        await pilot.pause()
        assert ": Nothing to copy here: select a row first." in notifications(app)


async def test_read_only_shows_in_the_header_and_w_arms_write_mode_for_a_while(
        make_app: AppFactory, db: Database, settings: Settings) -> None:
    app = make_app(db, app_settings=replace(settings, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in app.title
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert isinstance(app.screen, WriteModeDialog)
        await pilot.press("enter")  # no reason: asked for, nothing armed
        await pilot.pause()
        assert isinstance(app.screen, WriteModeDialog) and app.workspace.read_only
        await pilot.press(*"restore ann")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, WriteModeDialog)
        assert not app.workspace.read_only
        assert "WRITE 30m left" in app.title
        with db.session() as session:
            [entry] = session.scalars(select(AuditEntry)).all()
            assert (entry.action, entry.status, entry.reason) == (
                "write-mode", "local", "restore ann")
        assert audit_log.verify(app.workspace).intact

        # The time runs out: read-only again, by itself.
        app.workspace.write_until = utcnow() - timedelta(seconds=1)
        app._tick_write_mode()
        await pilot.pause()
        assert app.workspace.read_only and "READ-ONLY" in app.title
        assert "Write mode: Write mode ended: read-only again." in notifications(app)


async def test_w_again_ends_write_mode_early(make_app: AppFactory, db: Database,
                                             settings: Settings) -> None:
    app = make_app(db, app_settings=replace(settings, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.workspace.write_until = utcnow() + timedelta(minutes=5)
        app._tick_write_mode()
        assert "WRITE 5m left" in app.title
        await pilot.press("ctrl+w")
        await settle(pilot)
        assert app.workspace.read_only and "READ-ONLY" in app.title
        with db.session() as session:
            assert [e.action for e in session.scalars(select(AuditEntry))] == ["read-only"]


async def test_w_in_a_writing_installation_says_how_to_make_it_read_only(
        make_app: AppFactory, db: Database) -> None:
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" not in app.title
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert any("read_only = true" in note for note in notifications(app))


async def test_a_hang_up_ends_the_app(make_app: AppFactory, db: Database) -> None:
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The loop's handler is in place, so the signal cannot end the test process.
        assert signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(100):
            if app.return_code is not None:
                break
            await pilot.pause(0.01)
    assert app.return_code == 129


async def test_the_empty_home_view_names_the_in_app_way_to_connect(
        make_app: AppFactory, db: Database) -> None:
    from tests.app.helpers import panel_text

    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Press 6 (Tools), then a to add one" in panel_text(app, "panel-tools")


def test_columns_by_priority_leave_out_the_least_important_first() -> None:
    from pmcockpit.widgets.columns import ColumnSpec, fit_columns

    specs = [ColumnSpec("key", 8), ColumnSpec("subject", 50, minimum=12, grow=True),
             ColumnSpec("age", 6, minimum=4), ColumnSpec("who", 10, optional=True)]
    wide = fit_columns(specs, 120)
    assert wide == {"key": 8, "subject": 88, "age": 6, "who": 10}
    narrow = fit_columns(specs, 40)
    assert narrow["who"] == 0 and narrow["key"] == 8
    assert sum(narrow.values()) + 2 * 3 <= 40 and narrow["subject"] >= 12


async def test_a_screenshot_without_a_downloads_folder_lands_here(
        make_app: AppFactory, db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_downloads_dir", lambda: str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_screenshot("shot.svg")
        for _ in range(200):
            if (tmp_path / "shot.svg").exists():
                break
            await pilot.pause(0.02)
    assert (tmp_path / "shot.svg").read_text(encoding="utf-8").startswith("<svg")


async def test_checklist_help_names_enter_and_home_end_move(
        make_app: AppFactory, filled_db: Database) -> None:
    from pmcockpit.screens.help import keys_of
    from pmcockpit.widgets.row_table import RowTable

    app = make_app(filled_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        described = {row.keys: row.description for row in keys_of(app.screen)}
        assert any(text.startswith("Open") for text in described.values()), described
        table = app.screen.query_one(RowTable)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0


@pytest.mark.parametrize("area_key", ["3", "5"], ids=["permissions", "rollout"])
async def test_ctrl_w_arms_write_mode_where_w_is_the_screen_s_own_key(
        make_app: AppFactory, db: Database, settings: Settings, area_key: str) -> None:
    """Permissions' w downgrades and Rollout's w marks a wave: ctrl+w still reaches write
    mode there, and help names it."""
    from pmcockpit.screens.help import HelpScreen, keys_of

    app = make_app(db, app_settings=replace(settings, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(area_key)
        await settle(pilot)
        [write] = [row for row in keys_of(app.screen) if row.binding_id == "app.write_mode"]
        assert write.keys == "^w" and write.description.startswith("Write mode")
        own_w = [b.id for b in app.screen.BINDINGS if isinstance(b, Binding) and b.key == "w"]
        assert own_w in (["review.downgrade"], ["rollout.wave"])
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert isinstance(app.screen, WriteModeDialog)


async def test_write_mode_is_in_the_palette(make_app: AppFactory, db: Database,
                                            settings: Settings) -> None:
    from tests.app.helpers import open_palette_and_run

    app = make_app(db, app_settings=replace(settings, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_palette_and_run(pilot, "Write mode")
        assert isinstance(app.screen, WriteModeDialog)
