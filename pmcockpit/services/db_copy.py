"""``db copy``: move an administrator's state into a team's database (and back),
verified table by table and by the audit chain under this installation's key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pmcockpit.services.audit_key import installation
from pmcockpit.storage import audit, audit_head
from pmcockpit.storage.audit import ChainProblem
from pmcockpit.storage.db import Database, make_engine
from pmcockpit.storage.db_copy import TableCount, copy_rows, prepare_target


@dataclass(frozen=True, slots=True)
class CopyReport:
    target: str
    tables: list[TableCount]
    audit_entries: int
    problems: list[ChainProblem]

    @property
    def mismatched(self) -> list[TableCount]:
        return [t for t in self.tables if t.source != t.target]

    @property
    def ok(self) -> bool:
        return not self.mismatched and not self.problems


def copy_database(source: Database, to_url: str, *, demo: bool = False,
                  progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy ``source`` into the empty database at ``to_url``; DatabaseError when it is
    not empty or cannot be reached (nothing written then)."""
    target = make_engine(to_url)
    try:
        prepare_target(target)
        counts = copy_rows(source.engine, target, progress)
        key = installation(demo=demo).key
        path = audit_head.head_path(target)
        with Session(target) as session, session.begin():
            walked = audit.walk(session, key)
            audit_head.record_head(session, key, path)
        if path is not None and walked.count:
            installation(demo=demo).seal(str(path.resolve()))  # as audit_log names it
        return CopyReport(target.url.render_as_string(hide_password=True), counts,
                          walked.count, list(walked.problems))
    finally:
        target.dispose()
