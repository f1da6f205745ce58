"""The groups a rollout team can be drawn from: the synced groups of every tool and the
departments of the newest roster import, for the team form's pick list."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
