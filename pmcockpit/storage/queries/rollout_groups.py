"""The groups a rollout team can be drawn from: the synced groups of every tool and the
departments of the newest roster import, for the team form's pick list; and a
department's headcount, the people a team drawn from it is expected to reach."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmcockpit.core.roster import StaffStatus
from pmcockpit.storage.models import Group, RosterImport, RosterPerson


def group_choices(session: Session) -> list[str]:
    """Synced group names and roster departments, each once, sorted case-insensitively."""
    names = set(session.scalars(select(Group.name).distinct()))
    newest = session.scalar(select(func.max(RosterImport.id)))
    if newest is not None:
        names |= set(session.scalars(select(RosterPerson.department).distinct().where(
            RosterPerson.import_id == newest)))
    return sorted((name for name in names if name and name.strip()),
                  key=lambda name: (name.casefold(), name))


def roster_headcount(session: Session, department: str) -> int | None:
    """People of ``department`` still employed in the newest roster import; None when
    no roster was imported or the department is not in it (the accounts count then)."""
    newest = session.scalar(select(func.max(RosterImport.id)))
    if newest is None:
        return None
    count = session.scalar(select(func.count(RosterPerson.id)).where(
        RosterPerson.import_id == newest, RosterPerson.department == department,
        RosterPerson.status != StaffStatus.LEFT.value)) or 0
    return count or None
