"""The Queue screen at 60x20, 80x24 and 160x48: keys keep their project, the subject
takes the width left, the age shows; wide, the ticket under the cursor is beside it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Connection, Ticket
from tests.app.conftest import AppFactory
from tests.app.data import hours_ago
from tests.app.helpers import settle

SnapCompare = Callable[..., bool]

LONG_SUBJECT = ("The nightly export of the ERP purchase orders to the reporting project "
                "stopped after the upgrade and the finance team needs it by Friday")


@pytest.fixture
def queue_db(filled_db: Database) -> Database:
    with filled_db.session() as session:
        gitlab = session.scalars(select(Connection).where(Connection.kind == "gitlab")).one()
        for number, (key, priority, hours) in enumerate(
                [("operations/it-support#1", "High", 3.0),
                 ("operations/infrastructure-helpdesk#12", "Urgent", 26.0)]):
            session.add(Ticket(connection_id=gitlab.id, remote_id=f"g{number}", key=key,
                               subject=LONG_SUBJECT, status="opened", is_closed=False,
                               priority=priority, author_remote_id="g1",
                               created_at=hours_ago(hours), updated_at=hours_ago(hours)))
    return filled_db


async def _open_queue(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (160, 48)],
                         ids=["60x20", "80x24", "160x48"])
def test_queue_sizes(snap_compare: SnapCompare, queue_db: Database, make_app: AppFactory,
                     size: tuple[int, int]) -> None:
    assert snap_compare(make_app(queue_db), terminal_size=size, run_before=_open_queue)
