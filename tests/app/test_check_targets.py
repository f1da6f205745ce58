"""Setting the daily inspection's targets from the cockpit: the not-configured step
offers `c`, the dialog checks what is typed, and the config file keeps its other lines."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.check_targets import CheckTargetsDialog
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, settle
from tests.installed import installed_on

KEPT = '''\
# my settings
operator = "ops"  # who I am

[sla_hours]
high = 4
'''


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(KEPT, encoding="utf-8")
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(path))
    return path


@pytest.fixture
def workspace(tmp_path: Path, db: Database) -> Workspace:
    settings = Settings(operator="tester", templates_dir=str(tmp_path / "checklists"))
    installed_on(db)
    return Workspace(settings, db, no_connector)


async def open_backup_step(pilot: Pilot[None]) -> ChecklistRunScreen:
    """Checklist, the daily inspection (third in the list), its backup step."""
    await pilot.press("2")
    await settle(pilot)
    await pilot.press("down", "down", "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChecklistRunScreen)
    table = screen.query_one(DataTable)
    await pilot.press(*["down"] * table.get_row_index("backup"))
    await settle(pilot)
    return screen


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def detail(screen: ChecklistRunScreen) -> str:
    return str(screen.query_one("#run-detail", Static).render())


async def type_into(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*("space" if char == " " else char for char in text))


async def test_the_unset_step_offers_c_and_the_dialog_saves_both(
    workspace: Workspace, config: Path, tmp_path: Path,
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_backup_step(pilot)
        assert "press c to set the backup folder and mail server" in detail(screen)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CheckTargetsDialog)
        await type_into(pilot, str(backups))
        await pilot.press("enter")  # to the mail server
        assert app.focused is dialog.query_one("#targets-mail", Input)
        await type_into(pilot, "mail.example.org")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert any(str(config) in note for note in notifications(app))
        assert "press c" not in detail(screen)
    assert (workspace.settings.backup_path, workspace.settings.mail_host) == (
        str(backups), "mail.example.org")
    text = read(config)
    assert text.startswith('# my settings\noperator = "ops"  # who I am\n')
    assert tomllib.loads(text) == {"operator": "ops", "sla_hours": {"high": 4},
                                   "backup_path": str(backups),
                                   "mail_host": "mail.example.org"}


async def test_a_wrong_entry_is_explained_and_nothing_is_written(
    workspace: Workspace, config: Path,
) -> None:
    app = CockpitApp(workspace, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_backup_step(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CheckTargetsDialog)
        await type_into(pilot, "backups")
        await pilot.press("enter")
        await type_into(pilot, "mail.example.org:587")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # open, with what was typed
        status = str(dialog.query_one("#targets-status", Static).render())
        assert "full path" in status
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
    assert read(config) == KEPT
    assert workspace.settings.backup_path is None
