"""run_cockpit and run_demo: the right database, clear failures, nothing real in a demo."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pmcockpit import app as app_module
from pmcockpit.app import CockpitApp, run_cockpit, run_demo
from pmcockpit.config import Settings
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[CockpitApp]:
    """Apps that would have run: recorded instead of taking over the terminal."""
    apps: list[CockpitApp] = []

    def run(self: CockpitApp, *_args: Any, **_kwargs: Any) -> None:
        apps.append(self)

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


def test_demo_runs_on_a_throwaway_database_never_the_users(
    tmp_path: Path, started: list[CockpitApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    user_db = tmp_path / "mine.db"
    seen: dict[str, Any] = {}

    @contextmanager
    def open_demo(db: Database, settings: Settings, *, seed: int,
                  scale: int) -> Iterator[Workspace]:
        seen.update(url=db.url, settings_db=settings.db, seed=seed, scale=scale)
        yield Workspace(settings, db, app_module._real_connector_opener(settings, db),
                        demo=True)

    fake = types.ModuleType("pmcockpit.services.demo")
    fake.open_demo = open_demo  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pmcockpit.services.demo", fake)

    run_demo(Settings(operator="t", db=f"sqlite:///{user_db}"), seed=3, scale=20)

    [app] = started
    assert app.workspace.demo
    assert seen["seed"] == 3 and seen["scale"] == 20
    assert "pmcockpit-demo-" in seen["url"]
    assert seen["settings_db"] == seen["url"]
    assert not user_db.exists()
    assert not Path(seen["url"].removeprefix("sqlite:///")).exists()  # thrown away
