"""Fixtures of the cockpit's tests: a file database in tmp_path, a fixed clock, no blinking."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.notifications import Notify
from textual.widgets import Input, TextArea

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.connectors.base import Connector
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database, open_database
from tests.app.data import FIXED_NOW, populate

AppFactory = Callable[..., CockpitApp]


@pytest.fixture(autouse=True)
def steady_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor and no NO_COLOR from the caller's shell: snapshots stay stable."""
    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(TextArea, "cursor_blink", False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def every_notification_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each notification the app shows in ``app.notes_shown``.

    A toast leaves the screen after its timeout; on a busy machine that can come
    before the test looks. Tests read what was shown, not what is still showing.
    """
    show = App._on_notify

    def record_and_show(app: App[None], event: Notify) -> None:
        note = event.notification
        app.__dict__.setdefault("notes_shown", []).append(f"{note.title}: {note.message}")
        show(app, event)

    monkeypatch.setattr(App, "_on_notify", record_and_show)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A file database: thread workers each open their own connection to it."""
    database = open_database(f"sqlite:///{tmp_path / 'cockpit.db'}")
    yield database
    database.dispose()


@pytest.fixture
def filled_db(db: Database) -> Database:
    populate(db)
    return db


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Checklist runs count local days: pin the zone so "today" and "overdue" stay put."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Never the user's own checklist folder: only the built-in templates."""
    return Settings(operator="tester", templates_dir=str(tmp_path / "checklists"))


def no_connector(name: str) -> Connector:
    raise AssertionError(f"the cockpit shell must not open a connector ({name})")


@pytest.fixture
def make_app(settings: Settings) -> AppFactory:
    def make(db: Database, *, demo: bool = False, app_settings: Settings | None = None,
             notes: list[str] | None = None) -> CockpitApp:
        workspace = Workspace(app_settings or settings, db, no_connector, demo=demo,
                              notes=notes or [])
        return CockpitApp(workspace, clock=lambda: FIXED_NOW)

    return make
