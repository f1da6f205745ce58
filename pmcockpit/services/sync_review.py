"""Memberships fresh enough for a permission review.

Between full syncs a re-sync keeps the stored project memberships and group members (the
tools have no change marker for them; see :mod:`.sync_marks`). A review freezes who holds
what, so before one starts, :func:`refresh_for_review` reads the members of every project
and group again for the tools in scope; when that was skipped or failed,
:func:`membership_note` says in the review's scope how old the memberships it froze are.
"""

from __future__ import annotations

from datetime import timedelta

from pmcockpit.core.i18n import _
from pmcockpit.services.sync import SyncReport, memberships_as_of, sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections

FRESH = timedelta(minutes=10)
"""Memberships read this long before the connection's last sync still count as current."""


async def refresh_for_review(workspace: Workspace, names: list[str] | None = None
                             ) -> list[SyncReport]:
    """Sync ``names`` (all when None), reading every project's and group's members whatever
    their age."""
    return await sync_all(workspace, names, memberships=True)


def membership_note(workspace: Workspace, names: list[str] | None = None) -> str:
    """"" when every connection's memberships are as recent as its last sync; else which
    are older, and as of when (for a review's scope)."""
    read = memberships_as_of(workspace, names)
    with workspace.db.session() as session:
        synced = {name: connections.get(session, name).last_sync_at for name in read}
    stale = []
    for name, at in read.items():
        last = synced[name]
        if last is None:
            continue
        if at is None or last - at.replace(tzinfo=None) > FRESH:
            when = at.strftime("%Y-%m-%d %H:%M UTC") if at else _("never")
            stale.append(_("{name} {time}").format(name=name, time=when))
    if not stale:
        return ""
    # Translators: the connections whose project memberships are older than their last sync.
    return _("memberships as of: {list}").format(list=_(", ").join(stale))
