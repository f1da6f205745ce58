"""The database parameter of the storage and services tests: SQLite and PostgreSQL.

Their conftests import :func:`pytest_generate_tests` and the ``backend`` fixture from
here: every test there runs once on a SQLite file and once on a database of its own in a
throwaway PostgreSQL cluster (:mod:`tests.postgres`), unless marked ``sqlite_only`` (what
it checks is SQLite's: files, folders, the head file beside the database). Setups ask
:func:`database_url` for the database to open instead of writing a SQLite URL.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import Cluster, start_cluster

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]

_state: dict[str, object] = {}
"""The running test's cluster (``"cluster"``) and its databases by path (``"urls"``)."""


def database_url(path: Path) -> str:
    """Where a test's database at ``path`` lives on the backend it runs on (the same
    database for the same path within one test)."""
    cluster = _state.get("cluster")
    if not isinstance(cluster, Cluster):
        return f"sqlite:///{path}"
    urls = _state.setdefault("urls", {})
    assert isinstance(urls, dict)
    if str(path) not in urls:
        urls[str(path)] = cluster.new_database()
    return str(urls[str(path)])


def on_postgresql() -> bool:
    return isinstance(_state.get("cluster"), Cluster)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames or \
            metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    only_pg = metafunc.definition.get_closest_marker("postgresql_only") is not None
    metafunc.parametrize("backend", BACKENDS[1:] if only_pg else BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        cluster = start_cluster()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        pytest.skip(f"no PostgreSQL to test against: {error}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    name = str(getattr(request, "param", "sqlite"))
    cluster: Cluster | None = None
    if name == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        _state.update(cluster=cluster, urls={})
    try:
        yield name
    finally:
        _state.clear()
        if cluster is not None:
            cluster.drop_made()
