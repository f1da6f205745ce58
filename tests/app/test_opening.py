"""Paint first, then load: the first frame needs no database layer; the home screen follows."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.home import HomeScreen
from pmcockpit.screens.opening import Opening, OpeningScreen
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import open_database


def test_the_first_frame_imports_no_database_layer() -> None:
    probe = ("import sys; import pmcockpit.app, pmcockpit.screens.home, pmcockpit.screens.opening;"
             " print([m for m in ('sqlalchemy', 'alembic', 'httpx', 'keyring')"
             " if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"


async def test_the_frame_paints_before_the_workspace_opens(tmp_path: Path) -> None:
    settings = Settings(operator="t", db=f"sqlite:///{tmp_path / 'state.db'}")
    release = threading.Event()

    def open_workspace() -> Workspace:
        release.wait(timeout=30)  # held until the first frame has been looked at
        db = open_database(settings.db)
        return Workspace(settings, db, lambda name: (_ for _ in ()).throw(KeyError(name)))

    app = CockpitApp(Opening(settings, open_workspace, "Opening the database…"))
    async with app.run_test() as pilot:
        assert isinstance(app.screen, OpeningScreen)
        assert not app.ready
        await pilot.press("2")  # the areas wait for the workspace
        assert isinstance(app.screen, OpeningScreen)
        release.set()
        await app.opened.wait()
        await pilot.pause()
        assert app.ready and isinstance(app.screen, HomeScreen)
        assert app.current_mode == "home"
        await app.workers.wait_for_complete()
        app.workspace.db.dispose()
