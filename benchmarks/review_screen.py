"""The Permissions screen at 50,000 accounts in an open review (with a signed-off one
before it, for drift): key 3 to the people painted, and each filter keystroke to the
people repainted, against a bare DataTable filled with the same visible rows in the same
run (machines here are noisy: read the ratios).

    python -m benchmarks.review_screen [--accounts 50000] [--json]

Timed as a user sees it (see ``benchmarks.screen_timing``): from the key reaching the
app to the first frame showing the people; from each keystroke in the filter (typed, then
erased, one character at a time) to the first frame showing the people of that filter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from benchmarks.screen_timing import (
    NO_FRAME_DUE,
    built_ahead,
    frame_after,
    key_to_frame,
    p95,
    rows_on,
    settle,
)
from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.permissions import PermissionsScreen
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


async def _bare(rows: list[tuple[str, ...]]) -> float:
    """A bare DataTable: clear, the same rows added, to the next frame."""
    bare = Bare()
    async with bare.run_test(size=(80, 24)):
        table = bare.query_one(DataTable)
        table.add_columns(" ", "Severity", "Person", "Decided", "Findings", "Tools")

        def fill_rows() -> None:
            table.clear()
            table.add_rows(rows)

        return await frame_after(bare, fill_rows, lambda: table.row_count == len(rows))


def _visible(table: PeopleTable) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def measure(db: Database, settings: Settings, rounds: int = 1) -> dict[str, float]:
    cold = CockpitApp(Workspace(settings, db, lambda name: None))  # type: ignore[arg-type,return-value]
    cold.prebuilt_areas = ()
    async with cold.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        paint_cold = await key_to_frame(cold, "3", rows_on(cold, PermissionsScreen))
    app = CockpitApp(Workspace(settings, db, lambda name: None))  # type: ignore[arg-type,return-value]
    async with app.run_test(size=(80, 24)) as pilot:
        await built_ahead(pilot, ("permissions",))
        paint = await key_to_frame(app, "3", rows_on(app, PermissionsScreen))
        screen = app.screen
        assert isinstance(screen, PermissionsScreen)
        people = screen.query_one(PeopleTable)
        await settle(pilot)  # the detail pane's read, before typing
        shown = _visible(people)
        await pilot.press("slash")
        keystrokes: list[float] = []
        NO_FRAME_DUE.clear()
        for word in rounds * TYPED:
            # Each character typed, then each erased: every keystroke filters.
            typed = [word[:n] for n in range(1, len(word) + 1)]
            for text in [*typed, *reversed(["", *typed[:-1]])]:
                key = text[-1] if len(text) > len(screen.wanted.text) else "backspace"
                keystrokes.append(await key_to_frame(app, key, partial(_shows, screen, text)))
                await settle(pilot)
        bares = [await _bare(_visible(people)) for _ in range(5)]
        await settle(pilot)
    bare_paint = await _bare(shown)
    return {"paint (key 3 to people) s": paint,
            "paint, key 3 before it is built s": paint_cold,
            "bare DataTable same rows s": bare_paint,
            "paint ratio": paint / bare_paint, "rows shown": float(len(shown)),
            "keystrokes": float(len(keystrokes)),
            "of which changed nothing on screen": float(len(NO_FRAME_DUE)),
            "keystroke to repaint p95 s": p95(keystrokes),
            "keystroke to repaint median s": statistics.median(keystrokes),
            "bare DataTable same rows p95 s": p95(bares),
            "filter ratio (p95/p95)": p95(keystrokes) / p95(bares)}


def _shows(screen: PermissionsScreen, text: str) -> bool:
    """The people on screen are the ones read for ``text``."""
    shown = screen.shown
    return shown is not None and shown.text == text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--json", action="store_true", help="One JSON line (for the table).")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Type the words this many times (more keystrokes, steadier p95).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'review.db'}")
        settings = Settings(db=str(db.engine.url), operator="bench", templates_dir=folder)
        fill(db, args.accounts)
        figures = asyncio.run(measure(db, settings, args.rounds))
        db.dispose()
    if args.json:
        # The suite (benchmarks/__main__.py) read the filter under its former name.
        figures["filter read+repaint p95 s"] = figures["keystroke to repaint p95 s"]
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name:<34} {value:.3f}")


if __name__ == "__main__":
    main()
