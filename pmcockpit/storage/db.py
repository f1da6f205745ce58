"""Engine, sessions and schema upgrades.

SQLite is the default and tested store: WAL so readers do not block the writer,
foreign keys on, and a busy timeout so two pmcockpit processes (two SSH
sessions) can share one file. The schema is managed by alembic from the first
table on; :func:`open_database` upgrades it, but refuses a database that is not
pmcockpit's or was written by a newer version, and leaves such a file untouched.

Opening a database already at the newest schema costs one query (``alembic_version``
against the newest revision named in the migration files): alembic, a quarter of a
second to import, is loaded only when an upgrade or a closer look is due.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import sqlalchemy.exc
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from pmcockpit.core.i18n import _

if TYPE_CHECKING:
    from alembic.config import Config

BUSY_TIMEOUT_MS = 10_000
MIGRATION_WAIT_MS = 300_000
"""How long opening waits for another process's schema upgrade: a second pmcockpit
started meanwhile waits for it to finish (on a busy machine that can take a while)
instead of failing with "database is locked"."""
WAL_RETRY_S = 0.05
"""The pause before trying a refused journal switch again (see ``_enable_wal``)."""

PG_POOL_SIZE = 4
"""Connections a process keeps to PostgreSQL: the app's own and its workers'."""
PG_CONNECT_TIMEOUT_S = 10
CONNECT_RETRIES = (0.5, 1.0, 2.0)
"""Waits between tries when the database server does not answer (a restart)."""

_REVISION = re.compile(r"^(down_)?revision\b[^=\n]*=\s*(.+)$", re.MULTILINE)


class DatabaseError(Exception):
    """A database pmcockpit cannot use, with a message that says what to do."""


class NotPmcockpitDatabase(DatabaseError):
    pass


class DatabaseTooNew(DatabaseError):
    pass


class DatabaseUnavailable(DatabaseError):
    """The database server cannot be reached, or the connection was lost."""


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def default_database_url() -> str:
    path = Path(platformdirs.user_data_dir("pmcockpit", appauthor=False)) / "pmcockpit.db"
    return f"sqlite:///{path}"


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("pmcockpit.storage") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database).expanduser()
        if not path.parent.exists():
            if url != default_database_url():
                raise DatabaseError(_("cannot open database {path}: folder {folder} "
                                      "does not exist").format(path=path, folder=path.parent))
            path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise DatabaseError(_("cannot open database {path}: it is a folder, not a file")
                                .format(path=path))
        parsed = parsed.set(database=str(path))
    if parsed.get_backend_name() == "postgresql":
        return _postgresql_engine(parsed)
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000} if is_sqlite else {}
    engine = create_engine(parsed, connect_args=connect_args)
    if is_sqlite:
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _postgresql_engine(url: URL) -> Engine:
    """A team's shared database: psycopg 3, a small pool for the app and its workers,
    each connection checked before use (a server restarted meanwhile is reconnected)."""
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "postgresql+psycopg":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise DatabaseError(_("PostgreSQL needs psycopg: pip install 'pmcockpit[postgres]'")
                                ) from None
    return create_engine(url, pool_pre_ping=True, pool_size=PG_POOL_SIZE, max_overflow=4,
                         pool_recycle=1800, pool_timeout=30,
                         connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S,
                                       "application_name": "pmcockpit"})


def schema_revision(engine: Engine) -> str | None:
    """The database's alembic revision; raises when it is not a pmcockpit database."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            current = MigrationContext.configure(connection).get_current_revision()
    except sqlalchemy.exc.OperationalError as error:
        raise DatabaseError(_("cannot open database {path}: {error}").format(
            path=where, error=error.orig)) from error
    except sqlalchemy.exc.DatabaseError as error:
        raise NotPmcockpitDatabase(
            _("{path} is not a pmcockpit database ({error}); it was left unchanged. "
              "Point --db or PMCOCKPIT_DB at another file.").format(path=where, error=error.orig)
        ) from error
    if current is None and tables - {"alembic_version"}:
        raise NotPmcockpitDatabase(
            _("{path} holds tables but no pmcockpit schema version: it is not a pmcockpit "
              "database and was left unchanged. Point --db or PMCOCKPIT_DB at another file.")
            .format(path=where)
        )
    if current is not None:
        scripts = ScriptDirectory.from_config(_alembic_config())
        try:
            scripts.get_revision(current)
        except Exception as error:
            raise DatabaseTooNew(
                _("{path} was written by a newer pmcockpit (schema {schema}); it was left "
                  "unchanged. Upgrade pmcockpit (pip install -U pmcockpit) to open it.")
                .format(path=where, schema=current)
            ) from error
    return current


def _enable_wal(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    deadline = time.monotonic() + MIGRATION_WAIT_MS / 1000
    while True:
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
                try:
                    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
                finally:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            return
        except sqlalchemy.exc.OperationalError as error:
            # Two first starts switching a new file's journal at the same moment: both
            # hold a read lock and want the write lock, so SQLite refuses one at once
            # (a deadlock: no busy wait). The other's switch ends within moments.
            if "locked" not in str(error.orig) or time.monotonic() > deadline:
                raise
            time.sleep(WAL_RETRY_S)


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the schema; returns (revision before, revision after)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    schema_revision(engine)  # refuse a foreign or newer file before touching it
    _enable_wal(engine)
    config = _alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Batch migrations rebuild tables by drop-and-copy: with foreign keys on,
            # dropping a parent would cascade to its children. Off during the
            # migration, then checked. BEGIN IMMEDIATE makes a second process wait.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                before = MigrationContext.configure(connection).get_current_revision()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                after = MigrationContext.configure(connection).get_current_revision()
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise DatabaseError(_("the schema upgrade left rows pointing at nothing; "
                                          "nothing was changed"))
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                connection.commit()
    assert after is not None
    return before, after


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        A server that does not answer is tried again a few times; a connection lost
        during the transaction raises :class:`DatabaseUnavailable` (nothing of it kept).
        """
        with self.sessions.begin() as session:
            self._connect(session)
            try:
                yield session
            except sqlalchemy.exc.DBAPIError as error:
                if error.connection_invalidated or \
                        isinstance(error, sqlalchemy.exc.OperationalError):
                    raise DatabaseUnavailable(_(
                        "lost the connection to the database {url} ({error}): nothing of "
                        "this step was saved; try again").format(
                            url=self.url, error=_first_line(error.orig))) from error
                raise

    def _connect(self, session: Session) -> None:
        for wait in (*CONNECT_RETRIES, None):
            try:
                session.connection()
                return
            except sqlalchemy.exc.OperationalError as error:
                if wait is None:
                    raise DatabaseUnavailable(_(
                        "the database {url} does not answer ({error}); tried {tries} "
                        "times").format(url=self.url, error=_first_line(error.orig),
                                        tries=len(CONNECT_RETRIES) + 1)) from error
                time.sleep(wait)

    def dispose(self) -> None:
        self.engine.dispose()


def quick_head() -> str | None:
    """The newest revision, read from the migration files' ``revision`` and
    ``down_revision`` lines without alembic; None when the chain is not one line (alembic
    then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    folder = resources.files("pmcockpit.storage") / "migrations" / "versions"
    for script in folder.iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        for down, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            value = value.split("#")[0].strip().strip("\"'")
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """One cheap query: is the database's schema the newest one?"""
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except sqlalchemy.exc.DBAPIError:
        return False  # no table, not a database, locked...: the careful path says which
    head = quick_head()
    return head is not None and [tuple(row) for row in rows] == [(head,)]


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    engine = make_engine(url or default_database_url())
    try:
        if migrate and _at_head(engine):
            _enable_wal(engine)
        elif migrate:
            upgrade(engine)
        else:
            schema_revision(engine)
            _enable_wal(engine)
    except Exception:
        engine.dispose()
        raise
    return Database(engine, sessionmaker(engine, expire_on_commit=False))
