"""A full sync and a re-sync on PostgreSQL against the same on SQLite.

Paired runs, PostgreSQL then SQLite, each pair on fresh databases; prints the medians
and the median of the pair ratios (PostgreSQL / SQLite) and their spread. PostgreSQL is
a throwaway local cluster (tests/postgres.py, Debian's postgresql package); both
schemas are made before the clock starts.

    python -m benchmarks.sync_postgres [--scale 1000] [--pairs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests.postgres import running_cluster


def measure(url: str, scale: int) -> tuple[float, float, int]:
    """(full sync s, re-sync s, accounts) of one Redmine of ``scale`` into ``url``."""
    tool = SimTool("redmine", seed=7, scale=scale)
    db = open_database(url)

    def opener(name: str) -> Connector:
        return open_connector(ConnectionConfig(name, "redmine", tool.url, tool.token),
                              transport=tool.transport())

    workspace = Workspace(Settings(db=url), db, opener)
    with db.session() as session:
        connections.add(session, "rm", "redmine", tool.url)
    started = time.perf_counter()
    [report] = asyncio.run(sync_all(workspace))
    first = time.perf_counter() - started
    assert report.ok, report.error
    started = time.perf_counter()
    asyncio.run(sync_all(workspace))
    again = time.perf_counter() - started
    db.dispose()
    return first, again, int(report.counts["accounts"])


def _line(what: str, pg: list[float], lite: list[float]) -> str:
    ratios = [a / b for a, b in zip(pg, lite, strict=True)]
    return (f"{what}: PostgreSQL {statistics.median(pg):.3f} s, SQLite "
            f"{statistics.median(lite):.3f} s, ratio {statistics.median(ratios):.2f}x "
            f"({min(ratios):.2f}-{max(ratios):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[tuple[float, float, int]]] = {"pg": [], "sqlite": []}
    with running_cluster() as cluster, tempfile.TemporaryDirectory() as folder:
        for pair in range(args.pairs):
            runs["pg"].append(measure(cluster.new_database(empty=True), args.scale))
            runs["sqlite"].append(measure(f"sqlite:///{Path(folder) / f'{pair}.db'}",
                                          args.scale))
    accounts = runs["sqlite"][0][2]
    print(f"{accounts} accounts, {args.pairs} pairs")
    print(_line("full sync", [r[0] for r in runs["pg"]], [r[0] for r in runs["sqlite"]]))
    print(_line("re-sync", [r[1] for r in runs["pg"]], [r[1] for r in runs["sqlite"]]))


if __name__ == "__main__":
    main()
