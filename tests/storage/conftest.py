"""Fixtures for the storage tests: file databases in ``tmp_path`` (or throwaway PostgreSQL
databases, see tests/databases.py), never the user's own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmcockpit.storage.db import Database, open_database
from tests.databases import backend, database_url, pg_cluster, pytest_generate_tests

__all__ = ["backend", "pg_cluster", "pytest_generate_tests"]


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME, platformdirs (XDG) and the config file at a throwaway folder.

    A storage test that forgets to pass a URL then lands in a temporary folder, never
    in the real ``~/.local/share/pmcockpit``; no ``PMCOCKPIT_*`` variable leaks in.
    """
    home = tmp_path_factory.mktemp("home")
    for name in [n for n in os.environ if n.startswith("PMCOCKPIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(home / "config.toml"))
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's file database lives (not created yet)."""
    return tmp_path / "pmcockpit.db"


@pytest.fixture
def db_url(db_path: Path) -> str:
    """The test's database: the file at ``db_path``, or one on PostgreSQL."""
    return database_url(db_path)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A file database upgraded to head, disposed after the test."""
    db = open_database(db_url)
    try:
        yield db
    finally:
        db.dispose()
