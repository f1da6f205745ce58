"""Snapshots of every screen at 80x24 (the smallest supported terminal) and home at 120x40.

Times are fixed (tests.app.data.FIXED_NOW), so ages and SLA states never move.
Update with ``pytest tests/app/test_snapshots.py --snapshot-update`` after a deliberate
change or a Textual bump, and look at every changed snapshot before committing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory
from tests.app.helpers import settle

SnapCompare = Callable[..., bool]


def after(*keys: str) -> Callable[[Pilot[None]], object]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_home_empty(snap_compare: SnapCompare, db: Database, make_app: AppFactory) -> None:
    assert snap_compare(make_app(db), run_before=after())


def test_home_with_data(snap_compare: SnapCompare, filled_db: Database,
                        make_app: AppFactory) -> None:
    assert snap_compare(make_app(filled_db), run_before=after())


def test_home_with_data_wide(snap_compare: SnapCompare, filled_db: Database,
                             make_app: AppFactory) -> None:
    assert snap_compare(make_app(filled_db), terminal_size=(120, 40), run_before=after())


def test_home_demo(snap_compare: SnapCompare, filled_db: Database,
                   make_app: AppFactory) -> None:
    assert snap_compare(make_app(filled_db, demo=True), run_before=after())


@pytest.mark.parametrize("key", ["2", "3", "4", "5"],
                         ids=["checklist", "permissions", "queue", "rollout"])
def test_area_empty(snap_compare: SnapCompare, db: Database, make_app: AppFactory,
                    key: str) -> None:
    assert snap_compare(make_app(db), run_before=after(key))


@pytest.mark.parametrize("key", ["3", "4"], ids=["permissions", "queue"])
def test_area_with_data(snap_compare: SnapCompare, filled_db: Database, make_app: AppFactory,
                        key: str) -> None:
    assert snap_compare(make_app(filled_db), run_before=after(key))


def test_help_on_home(snap_compare: SnapCompare, db: Database, make_app: AppFactory) -> None:
    assert snap_compare(make_app(db), run_before=after("question_mark"))
