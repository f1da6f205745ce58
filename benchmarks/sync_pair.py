"""One side of the sync benchmark, in its own process (so its peak memory is its own).

    python -m benchmarks.sync_pair sync --scale 1000 --latency-ms 20 --urls FILE
    python -m benchmarks.sync_pair raw  --scale 1000 --latency-ms 20 --urls FILE

Both ask the same simulated Redmine (seed 7), served on loopback with the given latency by a
child process, so neither side's memory holds the simulator. ``sync`` runs pmcockpit's full
sync into a fresh SQLite file (made at the newest schema by another process, as
``pmcockpit sync`` finds its database), then a re-sync with nothing changed (project
memberships kept: their ``membership_hours`` have not passed), and writes the GETs of the
full sync to FILE. ``raw`` downloads exactly those GETs with a bare ``httpx.AsyncClient`` at
the connector's concurrency (4 in flight): the bound a sync cannot beat. Each prints one JSON
line: seconds, peak MiB (ru_maxrss of this process), requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import open_connector
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database

IN_FLIGHT = 4
"""The connector's own limit (``ToolClient(max_in_flight=4)``)."""


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _serve(scale: int, latency_ms: float, ready: multiprocessing.Queue[tuple[str, str]]
           ) -> None:
    from pmcockpit.sim import SimTool
    from pmcockpit.sim.server import serve_forever

    tool = SimTool("redmine", seed=7, scale=scale)
    tool.faults.latency_ms = latency_ms
    serve_forever(tool, on_ready=lambda url: ready.put((url, tool.token)))


@contextmanager
def simulator(scale: int, latency_ms: float) -> Iterator[tuple[str, str]]:
    """(URL, token) of a simulated Redmine served by a child process."""
    context = multiprocessing.get_context("spawn")  # nothing of this process is copied
    ready: multiprocessing.Queue[tuple[str, str]] = context.Queue()
    child = context.Process(target=_serve, args=(scale, latency_ms, ready), daemon=True)
    child.start()
    try:
        yield ready.get(timeout=600)
    finally:
        child.terminate()
        child.join(10)


class Logged(httpx.AsyncHTTPTransport):
    """The connector's transport, noting every request it sends."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append(f"{request.method} {request.url.raw_path.decode()}")
        return await super().handle_async_request(request)


def _prepare(url: str) -> None:
    """A database at the newest schema, made in a process of its own: ``pmcockpit sync``
    finds its database already there (alembic loads only when an upgrade is due)."""
    db = open_database(url)
    db.dispose()


def run_sync(url: str, token: str, urls_file: Path) -> dict[str, float]:
    log: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        preparing = multiprocessing.get_context("spawn").Process(target=_prepare,
                                                                 args=(db_url,))
        preparing.start()
        preparing.join(300)
        assert preparing.exitcode == 0, "could not make the database"
        db = open_database(db_url)

        def opener(name: str) -> Connector:
            return open_connector(ConnectionConfig(name, "redmine", url, token),
                                  transport=Logged(log))

        workspace = Workspace(Settings(operator="bench", db=str(db.engine.url)), db, opener)
        with db.session() as session:
            connections.add(session, "rm", "redmine", url)
        started = time.perf_counter()
        [report] = asyncio.run(sync_all(workspace))
        full = time.perf_counter() - started
        assert report.ok, report.error
        requests = [line for line in log if line.startswith("GET ")]
        log.clear()
        started = time.perf_counter()
        [again] = asyncio.run(sync_all(workspace))
        resync = time.perf_counter() - started
        assert again.ok and not again.full, again.error
        db.dispose()
    urls_file.write_text("\n".join(line.split(" ")[1] for line in requests), encoding="utf-8")
    return {"seconds": full, "resync_seconds": resync, "resync_requests": len(log),
            "requests": len(requests), "accounts": report.counts.get("accounts", 0),
            "peak_mib": _peak_mib(), "alembic_loaded": "alembic" in sys.modules}


async def _download(url: str, token: str, paths: list[str]) -> int:
    gate = asyncio.Semaphore(IN_FLIGHT)
    async with httpx.AsyncClient(base_url=url, headers={"X-Redmine-API-Key": token}) as client:

        async def get(path: str) -> int:
            async with gate:
                response = await client.get(path)
                response.json()
                return response.status_code

        statuses = await asyncio.gather(*(get(path) for path in paths))
    return sum(status == 200 for status in statuses)


def run_raw(url: str, token: str, urls_file: Path) -> dict[str, float]:
    paths = [p for p in urls_file.read_text(encoding="utf-8").splitlines() if p]
    started = time.perf_counter()
    ok = asyncio.run(_download(url, token, paths))
    return {"seconds": time.perf_counter() - started, "requests": ok, "peak_mib": _peak_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("sync", "raw"))
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--urls", type=Path, required=True)
    args = parser.parse_args()
    with simulator(args.scale, args.latency_ms) as (url, token):
        run = run_sync if args.mode == "sync" else run_raw
        print(json.dumps(run(url, token, args.urls)))


if __name__ == "__main__":
    main()
