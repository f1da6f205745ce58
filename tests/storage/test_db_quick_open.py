"""Opening a database already at the newest schema is one query: alembic is not loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pmcockpit.storage.db import head_revision, open_database, quick_head

pytestmark = pytest.mark.sqlite_only  # the quick open of a file


def test_the_quick_head_is_alembics_head() -> None:
    assert quick_head() == head_revision()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    open_database(url).dispose()  # created and upgraded: alembic runs this once
    probe = ("import sys; from pmcockpit.storage.db import open_database; "
             f"open_database({url!r}).dispose(); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "False"


def test_a_database_behind_head_is_still_upgraded(tmp_path: Path) -> None:
    from pmcockpit.storage.db import make_engine, schema_revision, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    open_database(url).dispose()
    engine = make_engine(url)
    assert schema_revision(engine) == head_revision()
    engine.dispose()
