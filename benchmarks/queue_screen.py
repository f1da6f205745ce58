"""The Queue at 10,000 open tickets: the read behind a paint and behind a filter
keystroke, the paint itself in a headless app (key 4 to rows on screen; the header's
figures follow), and each filter keystroke to the rows of that filter painted, against a
bare DataTable of the same rows (machines here are noisy: read the ratios). Timed as a
user sees it: from the key reaching the app to the frame (see benchmarks.screen_timing).

    python benchmarks/queue_screen.py [--tickets 10000] [--business-hours]
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

from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

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
from pmcockpit.core.queue_filter import parse_filter
from pmcockpit.screens.queue import FIRST_PAGE, QueueScreen
from pmcockpit.services.queue import sla_policy
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database, open_database
from pmcockpit.storage.models import Ticket, TicketComment
from pmcockpit.storage.queries.queue_list import queue_rows
from pmcockpit.storage.queries.queue_metrics import queue_metrics
from pmcockpit.widgets.queue_table import QueueTable

WORDS = ("login", "vpn", "password", "mail", "role", "project", "export", "slow", "wiki")
PRIORITIES = ("Urgent", "High", "Normal", "Low")
WORDS_TYPED = ("vpn p", "sla:breached", "login", "wiki", "mail", "role")
"""Typed one character at a time, then erased: each keystroke filters."""
FILTERS = ("v", "vp", "vpn", "vpn ", "vpn p", "vpn pr", "sla:breached", "l", "lo", "log",
           "logi", "login", "wiki", "mail", "role")


def fill(db: Database, count: int) -> None:
    rng = random.Random(5)
    now = utcnow()
    with db.session() as session:
        conn = connections.add(session, "rm", "redmine", "http://rm.invalid")
        for n in range(1, count + 1):
            created = now - timedelta(hours=rng.uniform(1, 24 * 60))
            ticket = Ticket(connection_id=conn.id, remote_id=str(n), key=f"#{n}",
                            subject=f"{rng.choice(WORDS)} problem {n}", description="",
                            status="New", is_closed=False, priority=rng.choice(PRIORITIES),
                            author_remote_id="1", assignee_remote_id=None,
                            created_at=created, updated_at=created,
                            first_response_at=created + timedelta(hours=3) if n % 2 else None)
            session.add(ticket)
            if n % 2:
                session.flush()
                session.add(TicketComment(ticket_id=ticket.id, remote_id=f"c{n}",
                                          author_remote_id="2", author_name="Admin",
                                          body="On it", created_at=created + timedelta(hours=3)))


def reads(db: Database, settings: Settings) -> dict[str, float]:
    policy = sla_policy(settings)
    now = utcnow()
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        with db.session() as session:
            queue_rows(session, now, policy, parse_filter(""), limit=FIRST_PAGE)
            queue_metrics(session, now, policy)
        timings.append(time.perf_counter() - started)
    keystrokes = []
    for typed in FILTERS:
        started = time.perf_counter()
        with db.session() as session:
            queue_rows(session, now, policy, parse_filter(typed), limit=FIRST_PAGE)
        keystrokes.append(time.perf_counter() - started)
    return {"queue read (all + metrics) s": min(timings),
            "filter read p95 s": p95(keystrokes),
            "filter read median s": statistics.median(keystrokes)}


class BareScreen(Screen[None]):
    """What the Queue screen is at least: a header, a table of the same rows, a footer."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.count = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("a", "b", "c", "d", "e")
        for n in range(self.count):
            table.add_row(Text("✗ 3d late"), Text(f"rm#{n}"), Text("Normal"), Text("3d"),
                          Text(f"subject {n}"))


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("home")


async def _bare(rows: int) -> tuple[float, float]:
    """(a bare screen with a table of ``rows`` rows pushed, to its frame; the table
    cleared and filled again, to its frame)."""
    bare = Bare()
    async with bare.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = await frame_after(bare, lambda: bare.push_screen(BareScreen(rows)),
                                  lambda: isinstance(bare.screen, BareScreen) and
                                  bare.screen.query_one(DataTable).row_count == rows)
        await settle(pilot)
        table = bare.screen.query_one(DataTable)
        cells = [table.get_row_at(n) for n in range(table.row_count)]

        def refill() -> None:
            table.clear()
            table.add_rows(cells)

        refills = [await frame_after(bare, refill) for _ in range(5)]
        return shown, p95(refills)


async def paints(db: Database, settings: Settings, rounds: int = 1) -> dict[str, float]:
    cold = CockpitApp(Workspace(settings, db, lambda name: None))  # type: ignore[arg-type,return-value]
    cold.prebuilt_areas = ()
    async with cold.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue_cold = await key_to_frame(cold, "4", rows_on(cold, QueueScreen))
    app = CockpitApp(Workspace(settings, db, lambda name: None))  # type: ignore[arg-type,return-value]
    async with app.run_test(size=(80, 24)) as pilot:
        await built_ahead(pilot, ("queue",))
        queue = await key_to_frame(app, "4", rows_on(app, QueueScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        rows = screen.query_one(QueueTable).row_count
        await pilot.press("slash")
        await settle(pilot)
        keystrokes = []
        NO_FRAME_DUE.clear()
        for word in rounds * WORDS_TYPED:
            typed = [word[:n] for n in range(1, len(word) + 1)]
            for text in [*typed, *reversed(["", *typed[:-1]])]:
                key = text[-1] if len(text) > len(screen.query_one(Input).value) \
                    else "backspace"
                wanted = parse_filter(text)
                if wanted == screen.wanted:  # "vpn " filters as "vpn" did: no read
                    await pilot.press(key)
                    continue
                keystrokes.append(await key_to_frame(
                    app, key, lambda wanted=wanted: screen.shown == wanted))
                await settle(pilot)
    plain, refill = await _bare(rows)
    return {"queue paint (key 4 to rows) s": queue,
            "paint, key 4 before it is built s": queue_cold,
            "bare screen, DataTable, same rows s": plain,
            "paint ratio": queue / plain if plain else float("nan"), "rows shown": rows,
            "keystrokes": len(keystrokes),
            "of which changed nothing on screen": len(NO_FRAME_DUE),
            "keystroke to repaint p95 s": p95(keystrokes),
            "keystroke to repaint median s": statistics.median(keystrokes),
            "bare DataTable refill p95 s": refill,
            "filter ratio (p95/p95)": p95(keystrokes) / refill}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--business-hours", action="store_true")
    parser.add_argument("--json", action="store_true", help="One JSON line (for the table).")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Type the words this many times (more keystrokes, steadier p95).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'queue.db'}")
        settings = Settings(db=str(db.engine.url), operator="bench",
                            sla_business_hours=args.business_hours,
                            sla_calendar={"time_zone": "Asia/Shanghai", "country": "CN"},
                            templates_dir=folder)
        fill(db, args.tickets)
        figures = {**reads(db, settings), **asyncio.run(paints(db, settings, args.rounds))}
        db.dispose()
    if args.json:
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name:<34} {value:.3f}" if isinstance(value, float) else f"{name:<34} {value}")


if __name__ == "__main__":
    main()
