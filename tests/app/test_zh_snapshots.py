"""The cockpit in Simplified Chinese at 80x24: every area with data, double-width text
laid out without cuts. Runs only in a process that speaks Chinese from the start (the
screens translate their keys and titles at import): tests/app/test_zh_layout.py starts
one. Update: ``PMCOCKPIT_TEST_LANGUAGE=zh_CN pytest tests/app/test_zh_snapshots.py
--snapshot-update``, then look at each snapshot."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from pmcockpit.config import Settings
from pmcockpit.services.demo import sim_opener
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory
from tests.app.data import FIXED_NOW
from tests.app.test_action_dialog import DialogHost, active_users
from tests.app.test_snapshots import after

SnapCompare = Callable[..., bool]

pytestmark = pytest.mark.skipif(
    os.environ.get("PMCOCKPIT_TEST_LANGUAGE") != "zh_CN",
    reason="runs in its own zh_CN process (tests/app/test_zh_layout.py)")


def test_home(snap_compare: SnapCompare, filled_db: Database, make_app: AppFactory) -> None:
    assert snap_compare(make_app(filled_db), run_before=after())


@pytest.mark.parametrize("key", ["2", "3", "4", "5", "6", "7"],
                         ids=["checklist", "permissions", "queue", "rollout", "connections",
                              "audit"])
def test_area(snap_compare: SnapCompare, filled_db: Database, make_app: AppFactory,
              key: str) -> None:
    assert snap_compare(make_app(filled_db), run_before=after(key))


def test_help(snap_compare: SnapCompare, db: Database, make_app: AppFactory) -> None:
    assert snap_compare(make_app(db), run_before=after("question_mark"))


def test_action_dialog(snap_compare: SnapCompare, db: Database, settings: Settings) -> None:
    """The bulk preview (dry run) of locking two accounts, in Chinese."""
    redmine = SimTool("redmine", seed=7, scale=40, now=FIXED_NOW)
    app = DialogHost(Workspace(settings, db, sim_opener({"redmine": redmine})),
                     active_users(redmine, 2))

    async def wait_for_preview(pilot: object) -> None:
        await app.workers.wait_for_complete()

    assert snap_compare(app, terminal_size=(80, 24), run_before=wait_for_preview)
