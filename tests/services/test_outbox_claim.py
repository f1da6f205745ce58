"""An outbox item is taken by one process only: the second claimer (another operator's
pmcockpit online at the same time) skips it. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.services import outbox
from pmcockpit.storage import outbox as store
from pmcockpit.storage.models import OutboxItem
from tests.services.tool_sim import tool_setup


def test_an_item_is_claimed_once(tmp_path: Path) -> None:
    workspace = tool_setup(tmp_path, "redmine").workspace
    action = Action(ActionKind.LOCK_USER, "redmine", "7", reason="left")
    outbox.enqueue(workspace, action, "#7")
    with workspace.db.session() as session:
        [seen_by_one] = store.waiting(session)
    seen_by_other = seen_by_one  # both processes read the item while it was pending
    assert outbox.claim(workspace, seen_by_one)
    assert not outbox.claim(workspace, seen_by_other)
    with workspace.db.session() as session:
        [item] = session.scalars(select(OutboxItem))
        assert (item.state, item.attempts) == ("sending", 1)


@pytest.mark.postgresql_only  # SQLite has no row locks: its write lock serialises (above)
def test_a_locked_item_is_skipped_not_waited_for(tmp_path: Path) -> None:
    workspace = tool_setup(tmp_path, "redmine").workspace
    outbox.enqueue(workspace, Action(ActionKind.LOCK_USER, "redmine", "7", reason="x"), "#7")
    with workspace.db.session() as session:
        [seen] = store.waiting(session)
    with workspace.db.session() as holder:  # another process is claiming it right now
        holder.scalars(select(OutboxItem).with_for_update()).all()
        assert not outbox.claim(workspace, seen)
    assert outbox.claim(workspace, seen)
