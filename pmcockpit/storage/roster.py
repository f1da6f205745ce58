"""HR roster imports kept in the database; the latest one is what the review rules use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.roster import ParsedRoster, StaffEntry, StaffStatus
from pmcockpit.storage.models import RosterImport, RosterPerson


@dataclass(frozen=True, slots=True)
class ImportFacts:
    id: int
    imported_at: datetime
    operator: str
    filename: str
    sha256: str
    encoding: str
    imported: int
    rejected: int


def _facts(row: RosterImport) -> ImportFacts:
    return ImportFacts(row.id, row.imported_at, row.operator, row.filename, row.sha256,
                       row.encoding, row.imported, row.rejected)


def save_import(session: Session, parsed: ParsedRoster, *, filename: str, operator: str,
                at: datetime | None = None) -> ImportFacts:
    row = RosterImport(operator=operator, filename=filename, sha256=parsed.sha256,
                       encoding=parsed.encoding, imported=len(parsed.entries),
                       rejected=len(parsed.problems))
    if at is not None:
        row.imported_at = at
    session.add(row)
    session.flush()
    session.add_all(
        RosterPerson(import_id=row.id, email=e.email, login=e.login, name=e.name,
                     department=e.department, status=e.status.value, left_on=e.left_on,
                     employee_id=e.employee_id)
        for e in parsed.entries)
    session.commit()
    return _facts(row)


def latest_import(session: Session) -> ImportFacts | None:
    row = session.scalars(select(RosterImport).order_by(RosterImport.id.desc()).limit(1)).first()
    return None if row is None else _facts(row)


def imports(session: Session) -> list[ImportFacts]:
    return [_facts(r) for r in session.scalars(select(RosterImport).order_by(RosterImport.id))]


def staff(session: Session, import_id: int | None = None) -> list[StaffEntry]:
    """The people of import ``import_id`` (default: the latest), by name."""
    if import_id is None:
        import_id = session.scalar(select(func.max(RosterImport.id)))
        if import_id is None:
            return []
    rows = session.scalars(select(RosterPerson).where(RosterPerson.import_id == import_id)
                           .order_by(RosterPerson.name, RosterPerson.id))
    return [StaffEntry(r.email, r.login, r.name, r.department, StaffStatus(r.status),
                       r.left_on, r.employee_id) for r in rows]
