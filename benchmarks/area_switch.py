"""Switching areas in a cockpit holding 50,000 review accounts and 10,000 open tickets:
key to the area's rows painted (as a user sees it, see ``benchmarks.screen_timing``) for
1 -> 3 -> 4 -> 1 ... : the first visit of each area, then the revisits. The goal is
0.1 s for every switch.

    python -m benchmarks.area_switch [--accounts 50000] [--tickets 10000] [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from benchmarks import queue_screen, review_screen
from benchmarks.screen_timing import area_switches, built_ahead
from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.screens.home import HomeScreen
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.queue import QueueScreen
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import open_database

GOAL = 0.1


async def _switches(settings: Settings, rounds: int) -> dict[str, float]:
    from pmcockpit.storage.db import open_database as reopen

    db = reopen(settings.db)
    try:
        app = CockpitApp(Workspace(settings, db, lambda name: None))  # type: ignore[arg-type,return-value]
        async with app.run_test(size=(80, 24)) as pilot:
            await built_ahead(pilot, getattr(app, "prebuilt_areas", ()))
            return await area_switches(pilot, {"3": PermissionsScreen, "4": QueueScreen,
                                               "1": HomeScreen}, rounds=rounds)
    finally:
        db.dispose()


def run(accounts: int = 50_000, tickets: int = 10_000, rounds: int = 4) -> dict[str, float]:
    """The figures by name (seconds): first visit per key, revisit p95, median, max.
    For the suite's table: measure "area switch (revisit p95)", reference the goal."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'areas.db'}"
        db = open_database(url)
        review_screen.fill(db, accounts)
        queue_screen.fill(db, tickets)
        db.dispose()
        settings = Settings(db=url, operator="bench", templates_dir=folder)
        return asyncio.run(_switches(settings, rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="One JSON line (for the table).")
    args = parser.parse_args()
    figures = run(args.accounts, args.tickets, args.rounds)
    if args.json:
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name:<28} {value:.3f}")
    print(f"{'goal s':<28} {GOAL:.3f}")


if __name__ == "__main__":
    main()
