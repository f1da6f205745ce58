"""The home view's SLA counts at 10,000 open tickets: the exact count over the whole
queue (``sla_counts``) against the glance's read of its first 2,000 rows, in business
hours (China's calendar, lunch break) and in calendar hours. Three runs each; machines
here are noisy.

    python -m benchmarks.home_counts [--tickets 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.queue_screen import fill
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.services.queue import sla_policy
from pmcockpit.storage.db import open_database
from pmcockpit.storage.queries.queue_list import queue_glance
from pmcockpit.storage.queries.sla_counts import sla_counts

CHINA = {"time_zone": "Asia/Shanghai", "country": "CN"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    tickets = parser.parse_args().tickets
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'home.db'}")
        fill(db, tickets)
        for business in (True, False):
            policy = sla_policy(Settings(sla_business_hours=business, sla_calendar=CHINA))
            for _ in range(3):
                now = utcnow()
                with db.session() as session:
                    started = time.perf_counter()
                    late, soon = sla_counts(session, now, policy)
                    exact = time.perf_counter() - started
                    started = time.perf_counter()
                    glance = queue_glance(session, now, policy, limit=3)
                    capped = time.perf_counter() - started
                print(f"{'business' if business else 'calendar'} hours, {tickets:,} open: "
                      f"{late:,} past SLA, {soon:,} near (the glance's page: "
                      f"{glance.breached:,}); exact count {exact * 1000:.0f} ms, "
                      f"glance read {capped * 1000:.0f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
