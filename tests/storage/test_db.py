"""The database layer on real SQLite files: migrations, pragmas, concurrency, refusals.

Every test uses a file in ``tmp_path`` (never ``:memory:``, which is private to one
connection and would hide WAL, locking and multi-process behaviour).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
import sqlalchemy.exc
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select, text

from pmcockpit.storage.db import (
    BUSY_TIMEOUT_MS,
    Database,
    DatabaseError,
    DatabaseTooNew,
    NotPmcockpitDatabase,
    default_database_url,
    head_revision,
    make_engine,
    open_database,
    schema_revision,
    upgrade,
)
from pmcockpit.storage.models import Account, AuditEntry, Base, Connection, Group

pytestmark = pytest.mark.sqlite_only  # files, folders and SQLite's own locking

FIRST_REVISION = "0001"
WRITERS = 2
ROWS_PER_WRITER = 150
PROCESS_TIMEOUT_S = 120.0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder_listing(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def _table_names(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def _stored_revision(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


# --- migrations ----------------------------------------------------------------------------


def test_upgrade_from_empty_creates_every_table_and_stamps_head(db_path: Path, db_url: str) -> None:
    db = open_database(db_url)
    try:
        tables = _table_names(db.engine)
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert schema_revision(db.engine) == head_revision()
    finally:
        db.dispose()
    assert _stored_revision(db_path) == [head_revision()]


def test_upgrade_reports_before_and_after_and_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert upgrade(engine) == (None, head_revision())
        assert upgrade(engine) == (head_revision(), head_revision())
    finally:
        engine.dispose()


def test_migrations_match_the_models(database: Database) -> None:
    """A model changed without a migration shows up here as a difference."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_open_without_migrate_leaves_an_empty_database_empty(db_path: Path, db_url: str) -> None:
    db = open_database(db_url, migrate=False)
    try:
        assert schema_revision(db.engine) is None
        assert _table_names(db.engine) == set()
    finally:
        db.dispose()


def test_rows_written_at_the_first_revision_survive_the_upgrade_to_head(db_url: str) -> None:
    """Written with plain SQL and only revision 0001's tables and columns, so later
    migrations (which may rebuild these tables in batch mode) must carry the rows along."""
    engine = make_engine(db_url)
    try:
        assert upgrade(engine, FIRST_REVISION) == (None, FIRST_REVISION)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO connection (id, name, kind, url, options, created_at,"
                    " last_sync_at, last_sync_seconds, last_sync_error)"
                    " VALUES (1, 'acme', 'redmine', 'https://pm.example', :options,"
                    " '2025-01-02 03:04:05.000000', NULL, NULL, NULL)"
                ),
                {"options": '{"verify_tls": true}'},
            )
            connection.execute(
                text(
                    "INSERT INTO account (id, remote_id, connection_id, login, name, email,"
                    " status, kind, is_admin, two_factor, created_at, last_login_at)"
                    " VALUES (10, 'u-10', 1, 'ada', 'Ada Lovelace', 'ada@example.org',"
                    " 'active', 'person', 1, NULL, NULL, '2025-03-04 05:06:07.000000')"
                )
            )
            connection.execute(
                text(
                    'INSERT INTO "group" (id, remote_id, connection_id, name)'
                    " VALUES (20, 'g-20', 1, 'Admins')"
                )
            )
            connection.execute(
                text("INSERT INTO group_member (group_id, account_id) VALUES (20, 10)")
            )
            connection.execute(
                text(
                    "INSERT INTO audit_entry (id, at, operator, connection_name, action, target,"
                    " detail, reason, status, error, undo_of, prev_hash, entry_hash)"
                    " VALUES (1, '2025-05-06 07:08:09.000000', 'root', 'acme', 'lock_account',"
                    " 'ada (u-10)', '{}', 'left the company', 'succeeded', NULL, NULL,"
                    " :prev, :entry)"
                ),
                {"prev": "0" * 64, "entry": "a" * 64},
            )
    finally:
        engine.dispose()

    db = open_database(db_url)
    try:
        assert schema_revision(db.engine) == head_revision()
        with db.session() as session:
            connection_row = session.scalars(select(Connection)).one()
            assert connection_row.name == "acme"
            assert connection_row.options == {"verify_tls": True}
            assert connection_row.created_at == datetime(2025, 1, 2, 3, 4, 5)
            [account] = connection_row.accounts
            assert (account.login, account.email, account.is_admin) == (
                "ada",
                "ada@example.org",
                True,
            )
            assert account.last_login_at == datetime(2025, 3, 4, 5, 6, 7)
            assert session.scalars(select(Group.name)).all() == ["Admins"]
            audit = session.scalars(select(AuditEntry)).one()
            assert (audit.action, audit.reason, audit.entry_hash) == (
                "lock_account",
                "left the company",
                "a" * 64,
            )
    finally:
        db.dispose()


# --- pragmas -------------------------------------------------------------------------------


def _pragmas(connection: sqlalchemy.Connection) -> tuple[str, int, int]:
    journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
    busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    return journal, foreign_keys, busy


def test_every_connection_has_wal_foreign_keys_and_busy_timeout(database: Database) -> None:
    expected = ("wal", 1, BUSY_TIMEOUT_MS)
    with database.engine.connect() as first, database.engine.connect() as second:
        # Two connections checked out at once are two distinct SQLite connections.
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        assert _pragmas(first) == expected
        assert _pragmas(second) == expected
    database.engine.dispose()  # a brand-new connection after the pool is emptied
    with database.engine.connect() as third:
        assert _pragmas(third) == expected
    with database.session() as session:
        assert _pragmas(session.connection()) == expected


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(sqlalchemy.exc.IntegrityError), database.session() as session:
        session.add(Account(connection_id=999, remote_id="1", login="x", name="X", status="active"))


def test_session_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    with database.session() as session:
        session.add(Connection(name="kept", kind="redmine", url="https://a.example"))
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(Connection(name="dropped", kind="redmine", url="https://b.example"))
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.scalars(select(Connection.name)).all() == ["kept"]


# --- several processes on one file ---------------------------------------------------------


def _insert_connections(url: str, prefix: str, count: int, barrier: Barrier) -> None:
    """Child process: open the database, wait for the other writer, then commit rows one by one."""
    db = open_database(url)
    try:
        barrier.wait(timeout=PROCESS_TIMEOUT_S)
        for index in range(count):
            with db.session() as session:
                session.add(
                    Connection(name=f"{prefix}-{index}", kind="sim", url="https://sim.example")
                )
    finally:
        db.dispose()


def _open_and_report(url: str, barrier: Barrier, results: Queue[str]) -> None:
    """Child process: open (and so migrate) the database at the same moment as the others."""
    barrier.wait(timeout=PROCESS_TIMEOUT_S)
    try:
        open_database(url).dispose()
    except Exception as error:
        results.put(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    else:
        results.put("ok")


def test_two_processes_write_to_one_file_at_the_same_time(database: Database, db_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(WRITERS)
    writers = [
        spawn.Process(target=_insert_connections, args=(db_url, f"w{n}", ROWS_PER_WRITER, barrier))
        for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(PROCESS_TIMEOUT_S)
    assert [w.exitcode for w in writers] == [0] * WRITERS, "a writer failed; see its stderr"
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Connection)) == (
            WRITERS * ROWS_PER_WRITER
        )
        for n in range(WRITERS):
            names = session.scalars(
                select(Connection.name).where(Connection.name.like(f"w{n}-%"))
            ).all()
            assert len(names) == ROWS_PER_WRITER


def test_two_processes_opening_a_fresh_file_at_once_both_succeed(db_url: str) -> None:
    """Two SSH sessions starting pmcockpit for the first time on a shared database."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(WRITERS)
    results: Queue[str] = spawn.Queue()
    openers = [
        spawn.Process(target=_open_and_report, args=(db_url, barrier, results))
        for _ in range(WRITERS)
    ]
    for opener in openers:
        opener.start()
    outcomes = sorted(results.get(timeout=PROCESS_TIMEOUT_S) for _ in openers)
    for opener in openers:
        opener.join(PROCESS_TIMEOUT_S)
    assert outcomes == ["ok"] * WRITERS
    engine = make_engine(db_url)
    try:
        assert schema_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_opening_waits_for_another_process_holding_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second pmcockpit started while the first upgrades the schema waits for it,
    however long the upgrade takes, rather than failing with "database is locked"."""
    import threading

    from pmcockpit.storage import db as storage_db

    path = tmp_path / "shared.db"
    holder = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    # Another process in the middle of its upgrade: WAL on, the write lock taken.
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    # Ordinary statements give up after this long; the lock is held far longer.
    monkeypatch.setattr(storage_db, "BUSY_TIMEOUT_MS", 50)
    opened = threading.Event()

    def open_it() -> None:
        open_database(f"sqlite:///{path}").dispose()
        opened.set()

    opener = threading.Thread(target=open_it)
    opener.start()
    # Released only after the opener has certainly outlived its ordinary busy timeout.
    assert not opened.wait(timeout=1.0)
    holder.rollback()
    holder.close()
    opener.join(timeout=PROCESS_TIMEOUT_S)
    assert opened.is_set()
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert schema_revision(engine) == head_revision()
    finally:
        engine.dispose()


# --- where the database is, and files pmcockpit must refuse --------------------------------


def test_default_url_is_in_the_user_data_dir(isolated_home: Path) -> None:
    expected = isolated_home / "data" / "pmcockpit" / "pmcockpit.db"
    assert default_database_url() == f"sqlite:///{expected}"
    assert not expected.parent.exists()
    db = open_database()
    try:
        assert expected.is_file()
        assert schema_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_tilde_in_a_url_means_the_home_folder(isolated_home: Path) -> None:
    db = open_database("sqlite:///~/mine.db")
    try:
        assert (isolated_home / "mine.db").is_file()
        assert schema_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_missing_parent_folder_is_named_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(DatabaseError, match="does not exist") as raised:
        open_database(f"sqlite:///{missing / 'pmcockpit.db'}")
    assert str(missing) in str(raised.value)
    assert not (tmp_path / "no").exists()


def test_a_folder_given_as_the_database_file(tmp_path: Path) -> None:
    folder = tmp_path / "actually-a-folder.db"
    folder.mkdir()
    with pytest.raises(DatabaseError, match="folder") as raised:
        open_database(f"sqlite:///{folder}")
    assert str(folder) in str(raised.value)
    assert list(folder.iterdir()) == []


def test_an_empty_file_is_a_new_database(db_path: Path, db_url: str) -> None:
    db_path.touch()
    db = open_database(db_url)
    try:
        assert schema_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def _assert_refused_unchanged(
    path: Path, error: type[DatabaseError], match: str, *, migrate: bool = True
) -> None:
    digest, listing = _digest(path), _folder_listing(path)
    with pytest.raises(error, match=match) as raised:
        open_database(f"sqlite:///{path}", migrate=migrate)
    assert "unchanged" in str(raised.value)
    assert _digest(path) == digest, "the refused file was modified"
    assert _folder_listing(path) == listing, "files were created next to the refused file"


@pytest.mark.parametrize("migrate", [True, False])
def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(
    db_path: Path, migrate: bool
) -> None:
    db_path.write_bytes(b"%PDF-1.7 not a database\n" + bytes(range(256)) * 32)
    _assert_refused_unchanged(
        db_path, NotPmcockpitDatabase, "not a pmcockpit database", migrate=migrate
    )


@pytest.mark.parametrize("migrate", [True, False])
def test_another_applications_sqlite_database_is_refused_and_left_unchanged(
    db_path: Path, migrate: bool
) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
    connection.close()
    _assert_refused_unchanged(
        db_path, NotPmcockpitDatabase, "not a pmcockpit database", migrate=migrate
    )


@pytest.mark.parametrize("migrate", [True, False])
def test_a_database_from_a_newer_pmcockpit_is_refused_and_left_unchanged(
    db_path: Path, db_url: str, migrate: bool
) -> None:
    open_database(db_url).dispose()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    _assert_refused_unchanged(db_path, DatabaseTooNew, "newer pmcockpit", migrate=migrate)
    assert _stored_revision(db_path) == ["9999_from_the_future"]


def test_a_file_that_cannot_be_opened_is_not_called_foreign(tmp_path: Path) -> None:
    """A dangling symlink into a missing folder: SQLite cannot open it (even as root).

    That is an OperationalError, which is not the same as a file of another format:
    the message must not claim the file is not a pmcockpit database.
    """
    link = tmp_path / "pmcockpit.db"
    link.symlink_to(tmp_path / "gone" / "pmcockpit.db")
    with pytest.raises(DatabaseError) as raised:
        open_database(f"sqlite:///{link}")
    assert not isinstance(raised.value, NotPmcockpitDatabase), str(raised.value)
    assert "cannot open" in str(raised.value)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root ignores file permissions, so a read-only file cannot be made here; "
    "run the suite as an ordinary user to cover it",
)
def test_a_read_only_location_gives_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseError) as raised:
            open_database(f"sqlite:///{folder / 'pmcockpit.db'}")
        assert str(folder) in str(raised.value)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
