"""run_cockpit and run_demo: the right database, clear failures, nothing real in a demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
from textual.pilot import Pilot

from pmcockpit.app import CockpitApp, run_cockpit, run_demo
from pmcockpit.config import Settings
from pmcockpit.storage import db as db_module
from pmcockpit.storage.db import Database, open_database
from tests.keyring_backend import MemoryKeyring


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[CockpitApp]:
    """Apps that opened their workspace: run headless, recorded once the workspace is open
    (behind the first frame), then closed instead of taking over the terminal."""
    apps: list[CockpitApp] = []
    original = CockpitApp.run

    async def record_when_open(pilot: Pilot[object]) -> None:
        app = pilot.app
        assert isinstance(app, CockpitApp)
        await app.opened.wait()
        if app.ready:  # else it could not open, and is already leaving with exit 1
            apps.append(app)
            app.exit()

    def run(self: CockpitApp, *_args: Any, **_kwargs: Any) -> None:
        original(self, headless=True, auto_pilot=record_when_open)

    monkeypatch.setattr(CockpitApp, "run", run)
    return apps


def test_cockpit_opens_the_users_database(tmp_path: Path, started: list[CockpitApp]) -> None:
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    run_cockpit(Settings(operator="t", db=url))
    [app] = started
    assert not app.workspace.demo
    assert app.workspace.db.url == url
    assert (tmp_path / "mine.db").exists()


def test_a_database_it_cannot_use_ends_with_a_message_and_exit_1(
    tmp_path: Path, started: list[CockpitApp], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cockpit(Settings(operator="t", db=f"sqlite:///{tmp_path}"))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("pmcockpit: cannot open database")
    assert "Traceback" not in err
    assert started == []


class ForbiddenKeyring(MemoryKeyring):
    """Any use of the keyring fails the test: the demo must not touch it."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError(f"the demo read the keyring ({service}/{username})")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError(f"the demo wrote the keyring ({service}/{username})")

    def delete_password(self, service: str, username: str) -> None:
        raise AssertionError(f"the demo deleted from the keyring ({service}/{username})")


def test_demo_runs_on_a_throwaway_database_never_the_users(
    tmp_path: Path, started: list[CockpitApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(home))
    keyring.set_keyring(ForbiddenKeyring())
    user_db = tmp_path / "mine.db"
    folders: list[str] = []
    real_database = open_database

    def recording_open_database(url: str | None = None, **kwargs: Any) -> Database:
        folders.append(str(url))
        return real_database(url, **kwargs)

    monkeypatch.setattr(db_module, "open_database", recording_open_database)

    run_demo(Settings(operator="t", db=f"sqlite:///{user_db}"), seed=3, scale=40)

    [app] = started
    assert app.workspace.demo
    [url] = folders
    assert "pmcockpit-demo-" in url and app.workspace.settings.db == url
    assert not user_db.exists()
    assert not Path(url.removeprefix("sqlite:///")).exists()  # thrown away on exit
    assert [p for p in home.rglob("*") if p.is_file()] == []
