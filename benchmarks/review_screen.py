"""The Permissions screen at 50,000 accounts in an open review (with a signed-off one
before it, for drift): key 3 to the people painted, and each filter keystroke to the
people repainted, against a bare DataTable filled with the same visible rows in the same
run (machines here are noisy: read the ratios).

    python -m benchmarks.review_screen [--accounts 50000] [--json]

The filter is timed from the read to the repaint: the screen waits for a pause in the
typing first (``FILTER_DELAY``), which is deliberate and reported beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.review_filters import FILTER_DELAY
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database, open_database
from pmcockpit.storage.models import Review, ReviewItem
from pmcockpit.storage.queries.review import drift_since_previous
from pmcockpit.storage.review_people import refresh_people
from pmcockpit.storage.reviews import keep_drift
from pmcockpit.widgets.review_people import PeopleTable

TOOLS = ("redmine", "jira", "gitlab", "zentao", "feishu")
DEPARTMENTS = ("Engineering", "Finance", "Sales", "Support", "Operations", "研发部", "财务部")
RULES = (("departed-active", 4, "Left on 2026-03-20 but the account is still open: lock it."),
         ("inactive", 2, "No login for 120 days."), ("admin-review", 1, "Administrator."),
         ("no-roster-match", 2, "Matches nobody on the HR roster."))
TYPED = ("w", "wa", "wan", "wang", "l", "li", "li.", "zz", "sales", "s", "sh", "shi", "x",
         "@ex", "gitlab")


def _items(review_id: int, count: int, rng: random.Random, now: Any) -> list[dict[str, Any]]:
    rows = []
    people = max(1, count // 4)
    for n in range(count):
        person = n % people
        tool = TOOLS[n // people % len(TOOLS)]
        found = [RULES[i] for i in range(len(RULES)) if rng.random() < 0.08]
        login = f"{('wang', 'li', 'zhang', 'shill', 'chen')[person % 5]}{person}"
        rows.append({
            "review_id": review_id, "connection": tool, "remote_id": str(n), "login": login,
            "name": f"Person {person}", "person": f"{login}@example.org",
            "department": DEPARTMENTS[person % len(DEPARTMENTS)], "status": "active",
            "is_admin": rng.random() < 0.03, "two_factor": None,
            "created_at": now - timedelta(days=400), "last_login_at": now - timedelta(days=5),
            "access": {"groups": [{"id": str(person % 40), "name": f"team-{person % 40}"}],
                       "memberships": [{"id": str(n), "project": f"P{person % 90}",
                                        "roles": ["Developer"], "inherited": []}]},
            "findings": {"found": [{"rule": r, "severity": s, "message": m}
                                   for r, s, m in found]},
            "severity": max((s for _r, s, _m in found), default=0)})
    return rows


def fill(db: Database, count: int) -> None:
    rng = random.Random(5)
    now = utcnow()
    with db.session() as session:
        earlier = Review(operator="bench", scope="all", started_at=now - timedelta(days=30),
                         signed_off_at=now - timedelta(days=28), signed_off_by="bench",
                         audit_head="0" * 64)
        session.add(earlier)
        session.flush()
        today = Review(operator="bench", scope="all", previous_id=earlier.id,
                       started_at=now)
        session.add(today)
        session.flush()
        for review_id in (earlier.id, today.id):
            rows = _items(review_id, count, rng, now)
            for start in range(0, len(rows), 5000):
                session.execute(insert(ReviewItem), rows[start:start + 5000])
            refresh_people(session, review_id)
        keep_drift(session, today.id, drift_since_previous(session, today.id))


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(0.95 * len(values)) - 1)]


async def _bare(rows: list[tuple[str, ...]]) -> float:
    bare = Bare()
    async with bare.run_test(size=(80, 24)) as pilot:
        table = bare.query_one(DataTable)
        table.add_columns(" ", "Severity", "Person", "Decided", "Findings", "Tools")
        started = time.perf_counter()
        table.clear()
        for row in rows:
            table.add_row(*row)
        await pilot.pause()
        return time.perf_counter() - started


async def _settle(pilot: Pilot[None]) -> None:
    """Every worker done (one replaced by a newer read counts as done) and its messages in."""
    while True:
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()


def _visible(table: PeopleTable) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def measure(db: Database, settings: Settings) -> dict[str, float]:
    app = CockpitApp(Workspace(settings, db, lambda name: None))  # type: ignore[arg-type,return-value]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        started = time.perf_counter()
        await pilot.press("3")
        screen = app.screen
        assert isinstance(screen, PermissionsScreen)
        people = screen.query_one(PeopleTable)
        while not people.row_count:  # painted: the people are on screen
            await pilot.pause()
        paint = time.perf_counter() - started
        await _settle(pilot)  # the detail pane's read, before typing
        shown = _visible(people)
        keystrokes, bares = [], []
        for typed in TYPED:
            started = time.perf_counter()
            screen._refilter(text=typed)
            await _settle(pilot)
            keystrokes.append(time.perf_counter() - started)
            bares.append(await _bare(_visible(people)))
    bare_paint = await _bare(shown)
    return {"paint (key 3 to people) s": paint, "bare DataTable same rows s": bare_paint,
            "paint ratio": paint / bare_paint, "rows shown": float(len(shown)),
            "filter read+repaint p95 s": _p95(keystrokes),
            "filter read+repaint median s": statistics.median(keystrokes),
            "bare DataTable same rows p95 s": _p95(bares),
            "filter ratio (p95/p95)": _p95(keystrokes) / _p95(bares),
            "typing pause before a filter s": FILTER_DELAY}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--json", action="store_true", help="One JSON line (for the table).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'review.db'}")
        settings = Settings(db=str(db.engine.url), operator="bench", templates_dir=folder)
        fill(db, args.accounts)
        figures = asyncio.run(measure(db, settings))
        db.dispose()
    if args.json:
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name:<34} {value:.3f}")


if __name__ == "__main__":
    main()
