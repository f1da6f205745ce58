"""Copy every row of one pmcockpit database into another, empty one (SQLite to
PostgreSQL and back): same ids, so the audit chain, which signs each entry's id, still
verifies; counters moved past the copied ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Integer, Table, func, insert, select, text

from pmcockpit.core.i18n import _
from pmcockpit.storage.db import DatabaseError, upgrade
from pmcockpit.storage.models import Base

BATCH = 1000


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source: int
    target: int


def _count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def prepare_target(target: Engine) -> None:
    """Bring an empty database (no tables, or pmcockpit's with no rows) to the newest
    schema; refuse one that holds anything."""
    upgrade(target)  # refuses a database that is not pmcockpit's or is newer
    with target.connect() as connection:
        full = [t.name for t in Base.metadata.sorted_tables if _count(connection, t)]
    if full:
        raise DatabaseError(_("{url} is not empty ({tables} hold rows): pmcockpit copies only "
                              "into an empty database; nothing was copied").format(
                                  url=target.url.render_as_string(hide_password=True),
                                  tables=", ".join(full[:3])))


def copy_rows(source: Engine, target: Engine,
              progress: Callable[[str, int], None] | None = None) -> list[TableCount]:
    """Every table's rows, parents first, in one transaction on the target."""
    counts: list[TableCount] = []
    with source.connect() as reading, target.begin() as writing:
        if target.dialect.name == "sqlite":
            writing.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in Base.metadata.sorted_tables:
            copied = 0
            rows = reading.execute(select(table).order_by(*table.primary_key.columns))
            while batch := rows.mappings().fetchmany(BATCH):
                writing.execute(insert(table), [dict(row) for row in batch])
                copied += len(batch)
            if progress is not None:
                progress(table.name, copied)
            _move_counter(writing, table)
            counts.append(TableCount(table.name, _count(reading, table), _count(writing, table)))
    return counts


def _move_counter(connection: Connection, table: Table) -> None:
    """PostgreSQL's sequence past the copied ids (SQLite's follows the inserts)."""
    keys = list(table.primary_key.columns)
    if connection.dialect.name != "postgresql" or len(keys) != 1 or \
            not isinstance(keys[0].type, Integer):
        return
    sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                 {"t": table.name, "c": keys[0].name})
    if sequence is not None:
        highest = connection.scalar(select(func.max(keys[0])))
        connection.execute(text("SELECT setval(:s, :v, false)"),
                           {"s": sequence, "v": int(highest or 0) + 1})
