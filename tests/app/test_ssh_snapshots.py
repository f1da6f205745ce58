"""The areas issue 13 owns (Home, Checklist, Tools, Audit) at 80x24, 60x20 and 160x48, and
at 80x24 with NO_COLOR: the tab line, columns sized by priority, nothing off the edge.

Update with ``--snapshot-update`` after a deliberate change and look at each one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from pmcockpit.storage import audit, audit_head
from pmcockpit.storage.db import Database
from tests.app.conftest import AppFactory
from tests.app.data import FIXED_NOW
from tests.app.test_snapshots import after

SnapCompare = Callable[..., bool]
AREAS = {"home": (), "checklist": ("2",), "tools": ("6",), "audit": ("7",)}
SIZES = {"80x24": (80, 24), "60x20": (60, 20), "160x48": (160, 48)}


@pytest.fixture
def logged_db(filled_db: Database) -> Database:
    """The filled database with an audit log: long targets, reasons and an error."""
    from pmcockpit.services.audit_key import chain_key

    key = chain_key()
    records = [
        audit.AuditRecord("ops-admin", "redmine-production", "lock-user",
                          "jsmith (user 4711)", "succeeded", {},
                          "left the company on 2025-02-28 (HR roster, ticket HR-2291)"),
        audit.AuditRecord("ops-admin", "gitlab", "remove-group-member",
                          "platform-team/backend (group 12)", "failed", {},
                          "moved to the data team", "403 Forbidden: the token lacks api scope"),
    ]
    for minutes, record in enumerate(records):
        with filled_db.session() as session:
            audit.append(session, record, key, at=FIXED_NOW - timedelta(minutes=90 - minutes))
        with filled_db.session() as session:
            audit_head.record_head(session, key, audit_head.head_path(filled_db.engine))
    return filled_db


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("keys", AREAS.values(), ids=AREAS.keys())
def test_area_at_size(snap_compare: SnapCompare, logged_db: Database, make_app: AppFactory,
                      keys: tuple[str, ...], size: tuple[int, int]) -> None:
    assert snap_compare(make_app(logged_db), terminal_size=size, run_before=after(*keys))


@pytest.mark.parametrize("keys", AREAS.values(), ids=AREAS.keys())
def test_area_without_colour(snap_compare: SnapCompare, logged_db: Database,
                             make_app: AppFactory, keys: tuple[str, ...],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(logged_db)
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=after(*keys))
