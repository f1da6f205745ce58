"""How building the simulated tool, sync and the home summary grow with the organisation.

At each scale: the simulator building the organisation and one tool's state, a full Redmine
sync (real connector, in-process simulator, file SQLite), a re-sync with nothing changed,
and the home view's summary query, in one process; prints the times and their ratios to
the smallest scale (machines here are noisy: compare ratios from one run, not seconds
across runs).

    python -m benchmarks.sync_scale [--scales 150,5000,50000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.core.clock import utcnow
from pmcockpit.services.queue import sla_policy
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool
from pmcockpit.sim.org import build_org
from pmcockpit.sim.state import ToolState
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from pmcockpit.storage.queries.home import home_summary

MEASURES = ("build_org s", "tool state s", "first sync s", "resync s", "home summary s")


def _timed(results: dict[str, float], key: str, started: float) -> None:
    results[key] = time.perf_counter() - started


def measure(scale: int, folder: Path) -> dict[str, float]:
    results: dict[str, float] = {}
    started = time.perf_counter()
    org = build_org(seed=7, scale=scale)
    _timed(results, "build_org s", started)
    started = time.perf_counter()
    ToolState.from_org(org)
    _timed(results, "tool state s", started)
    tool = SimTool("redmine", seed=7, scale=scale, org=org)
    db = open_database(f"sqlite:///{folder / f'bench-{scale}.db'}")
    settings = Settings(db=str(db.engine.url))

    def opener(name: str) -> Connector:
        config = ConnectionConfig(name, "redmine", tool.url, tool.token)
        return open_connector(config, transport=tool.transport())

    workspace = Workspace(settings, db, opener)
    with db.session() as session:
        connections.add(session, "rm", "redmine", tool.url)
    started = time.perf_counter()
    [report] = asyncio.run(sync_all(workspace))
    _timed(results, "first sync s", started)
    assert report.ok, report.error
    started = time.perf_counter()
    asyncio.run(sync_all(workspace))
    _timed(results, "resync s", started)
    started = time.perf_counter()
    with db.session() as session:
        home_summary(session, utcnow(), inactive_days=settings.inactive_days,
                     policy=sla_policy(settings))
    _timed(results, "home summary s", started)
    db.dispose()
    return {"accounts": report.counts["accounts"], **results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="150,5000,50000")
    scales = [int(s) for s in parser.parse_args().scales.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        results = {scale: measure(scale, Path(folder)) for scale in scales}
    base = results[scales[0]]
    print(f"{'scale':>7} {'accounts':>9} " + " ".join(f"{m[:-2]:>18}" for m in MEASURES))
    for scale, row in results.items():
        cells = [f"{row[k]:7.3f}s ({row[k] / base[k]:6.1f}x)" for k in MEASURES]
        print(f"{scale:>7} {int(row['accounts']):>9} " + " ".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()
