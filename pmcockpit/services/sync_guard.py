"""What a sync checks before it writes: a snapshot whose records cannot be told apart,
and one that would remove too many accounts at once, are refused.

The paginators already check every page against its dialect; this is the last look
at the whole snapshot, whatever call each record came from.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.records import Snapshot

_NO_ID = {"", "None", "null"}
"""What a missing or null id turns into once parsed."""


class SnapshotRefused(Exception):
    """The snapshot is not written; the message says why and what to do."""


def _duplicate(ids: Iterable[str]) -> str | None:
    seen: set[str] = set()
    for remote_id in ids:
        if remote_id in _NO_ID or remote_id in seen:
            return remote_id
        seen.add(remote_id)
    return None


def check_snapshot(name: str, snapshot: Snapshot) -> None:
    """SnapshotRefused when any kind of record has an empty, null or repeated id."""
    kinds = {
        "users": (a.remote_id for a in snapshot.accounts),
        "groups": (g.remote_id for g in snapshot.groups),
        "roles": (r.remote_id for r in snapshot.roles),
        "projects": (p.remote_id for p in snapshot.projects),
        "memberships": (m.remote_id for m in snapshot.memberships),
        "tickets": (t.remote_id for t in snapshot.tickets),
    }
    for what, ids in kinds.items():
        bad = _duplicate(ids)
        if bad is None:
            continue
        if bad in _NO_ID:
            problem = _("{name}: the {what} read from the tool include one without an id "
                        "({value!r})")
        else:
            problem = _("{name}: the {what} read from the tool include id {value!r} twice")
        raise SnapshotRefused(problem.format(name=name, what=what, value=bad))


@dataclass(frozen=True, slots=True)
class AccountDrop:
    """How many of the accounts stored now a snapshot would remove."""

    removed: int
    before: int

    @property
    def share(self) -> float:
        return self.removed / self.before if self.before else 0.0


def account_drop(stored: set[str], snapshot: Snapshot) -> AccountDrop:
    return AccountDrop(len(stored - {a.remote_id for a in snapshot.accounts}), len(stored))


def check_drop(name: str, drop: AccountDrop, max_share: float) -> None:
    """SnapshotRefused when ``drop`` removes more than ``max_share`` of the accounts."""
    if drop.share <= max_share:
        return
    removed = ngettext(
        "{name}: this sync would remove {removed} of {before} account ({percent:.0%})",
        "{name}: this sync would remove {removed} of {before} accounts ({percent:.0%})",
        drop.before).format(name=name, removed=drop.removed, before=drop.before,
                            percent=drop.share)
    raise SnapshotRefused(_(
        "{removed}, more than the {limit:.0%} allowed at once (setting max_account_drop). "
        "A tool answering for only part of its users is more often a fault than a mass "
        "departure. If they really left, sync again accepting the drop: "
        "`pmcockpit sync {name} --accept-drop`").format(
            removed=removed, limit=max_share, name=shlex.quote(name)))
