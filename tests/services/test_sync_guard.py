"""The last look at a whole snapshot before it is written, and the account-drop guard."""

from __future__ import annotations

import re

import pytest

from pmcockpit.core.records import (
    AccountStatus,
    ProjectStatus,
    RemoteAccount,
    RemoteMembership,
    RemoteProject,
    Snapshot,
)
from pmcockpit.services.sync_guard import (
    AccountDrop,
    SnapshotRefused,
    account_drop,
    check_drop,
    check_snapshot,
)


def account(remote_id: str) -> RemoteAccount:
    return RemoteAccount(remote_id=remote_id, login=f"u{remote_id}", name="U", email=None,
                         status=AccountStatus.ACTIVE)


def snapshot(*ids: str, memberships: tuple[RemoteMembership, ...] = ()) -> Snapshot:
    return Snapshot(tuple(account(i) for i in ids), (), (), (), memberships)


def test_a_clean_snapshot_passes() -> None:
    check_snapshot("rm", snapshot("1", "2", "3"))


@pytest.mark.parametrize(("ids", "message"), [
    (("1", "None"), "rm: the users read from the tool include one without an id ('None')"),
    (("1", ""), "include one without an id ('')"),
    (("1", "2", "1"), "rm: the users read from the tool include id '1' twice"),
])
def test_null_or_repeated_ids_are_refused(ids: tuple[str, ...], message: str) -> None:
    with pytest.raises(SnapshotRefused, match=re.escape(message)):
        check_snapshot("rm", snapshot(*ids))


def test_any_kind_of_record_is_checked() -> None:
    twice = RemoteMembership("m1", "p1", "1", None, ())
    with pytest.raises(SnapshotRefused, match=r"the memberships .* id 'm1' twice"):
        check_snapshot("rm", snapshot("1", memberships=(twice, twice)))
    projects = Snapshot((), (), (), (RemoteProject("None", "k", "K", ProjectStatus.ACTIVE),), ())
    with pytest.raises(SnapshotRefused, match="the projects"):
        check_snapshot("rm", projects)


def test_the_drop_counts_stored_accounts_that_are_gone() -> None:
    drop = account_drop({"1", "2", "3", "4"}, snapshot("1", "5"))
    assert (drop.removed, drop.before, drop.share) == (3, 4, 0.75)
    assert AccountDrop(0, 0).share == 0.0  # a first sync drops nothing


def test_the_guard_allows_up_to_the_share() -> None:
    check_drop("rm", AccountDrop(3, 10), 0.3)
    with pytest.raises(SnapshotRefused, match=r"remove 4 of 10 accounts \(40%\), more than "
                                              r"the 30% allowed"):
        check_drop("rm", AccountDrop(4, 10), 0.3)
    with pytest.raises(SnapshotRefused, match="remove 1 of 1 account "):
        check_drop("rm", AccountDrop(1, 1), 0.3)
