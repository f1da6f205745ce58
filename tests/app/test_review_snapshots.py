"""The Permissions screen at 60x20, 80x24 and 160x48, with a review open and without:
every column ends inside the screen, the findings and reasons take the width left.

Update with ``--snapshot-update`` after a deliberate change, and look at each one."""

from __future__ import annotations

import pytest

from pmcockpit.services import review
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory
from tests.app.data import FIXED_NOW
from tests.app.test_snapshots import SnapCompare, after

SIZES = [(60, 20), (80, 24), (160, 48)]
IDS = ["60x20", "80x24", "160x48"]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_review_open(snap_compare: SnapCompare, filled_db: Database, make_app: AppFactory,
                     size: tuple[int, int]) -> None:
    app = make_app(filled_db)
    review.start_review(app.workspace, now=FIXED_NOW)
    assert snap_compare(app, terminal_size=size, run_before=after("3"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_no_review_open(snap_compare: SnapCompare, filled_db: Database, make_app: AppFactory,
                        size: tuple[int, int]) -> None:
    assert snap_compare(make_app(filled_db), terminal_size=size, run_before=after("3"))
