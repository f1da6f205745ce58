"""PostgreSQL as pmcockpit's database: the schema from empty and from every earlier
revision, and a server that goes away (reported, reconnected, never a traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import sessionmaker

from pmcockpit.storage.db import (
    Database,
    DatabaseUnavailable,
    _alembic_config,
    head_revision,
    make_engine,
    open_database,
    upgrade,
)
from pmcockpit.storage.models import Base, Connection
from tests.postgres import Cluster

pytestmark = pytest.mark.postgresql_only


def _earlier_revisions() -> list[str]:
    scripts = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in scripts.walk_revisions() if r.revision != head_revision()]


def test_an_empty_database_is_upgraded_to_the_models(pg_cluster: Cluster) -> None:
    db = open_database(pg_cluster.new_database(empty=True))
    try:
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == \
                head_revision()
            assert compare_metadata(MigrationContext.configure(connection),
                                    Base.metadata) == []
    finally:
        db.dispose()


@pytest.mark.parametrize("revision", _earlier_revisions())
def test_every_earlier_revision_upgrades_to_the_newest(pg_cluster: Cluster,
                                                       revision: str) -> None:
    url = pg_cluster.new_database(empty=True)
    engine = make_engine(url)
    try:
        assert upgrade(engine, revision) == (None, revision)
        assert upgrade(engine)[1] == head_revision()
    finally:
        engine.dispose()
    db = open_database(url)
    try:
        with db.session() as session:
            session.add(Connection(name="rm", kind="redmine", url="http://127.0.0.1:9"))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Connection)) == 1
    finally:
        db.dispose()


def test_a_dropped_connection_is_reconnected(pg_cluster: Cluster) -> None:
    db = open_database(pg_cluster.new_database())
    try:
        with db.session() as session:
            session.execute(text("SELECT 1"))
        name = db.engine.url.database
        pg_cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       f"WHERE datname = '{name}'")
        with db.session() as session:  # the pool's check finds it dead and reconnects
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        db.dispose()


def test_a_connection_lost_mid_step_is_reported(pg_cluster: Cluster) -> None:
    db = open_database(pg_cluster.new_database())
    try:
        with pytest.raises(DatabaseUnavailable, match="lost the connection"), \
                db.session() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
            pg_cluster.sql(f"SELECT pg_terminate_backend({pid})")
            session.execute(text("SELECT 1"))
    finally:
        db.dispose()


def test_a_server_that_does_not_answer_is_a_message_not_a_traceback(
        pg_cluster: Cluster) -> None:
    url = pg_cluster.url("nothing").replace(f":{pg_cluster.port}/", ":1/")
    done = subprocess.run([sys.executable, "-m", "pmcockpit", "--db", url, "audit", "list"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot open database postgresql+psycopg://postgres@127.0.0.1:1/nothing" in \
        done.stderr


def test_a_server_that_stays_away_is_tried_again_then_reported(
        pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pmcockpit.storage.db.CONNECT_RETRIES", (0.01, 0.01))
    url = pg_cluster.url("nothing").replace(f":{pg_cluster.port}/", ":1/")
    engine = make_engine(url)
    tries: list[object] = []
    event.listen(engine, "do_connect", lambda *args: tries.append(args))
    db = Database(engine, sessionmaker(engine))
    try:
        with pytest.raises(DatabaseUnavailable, match=r"does not answer .* tried 3 times"), \
                db.session():
            pass
    finally:
        db.dispose()
    assert len(tries) == 3
