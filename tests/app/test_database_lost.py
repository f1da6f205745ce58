"""A team's database server that goes away while the cockpit runs: a notification that
says so, not a traceback, and the cockpit goes on."""

from __future__ import annotations

import pytest
from textual.worker import WorkerFailed

from pmcockpit.storage.db import Database, DatabaseUnavailable
from tests.app.conftest import AppFactory
from tests.app.helpers import notifications, settle


async def test_a_lost_database_is_reported_and_the_app_goes_on(
        db: Database, make_app: AppFactory) -> None:
    app = make_app(db)

    def step() -> None:
        raise DatabaseUnavailable("lost the connection to the database postgresql+psycopg://"
                                  "team@db/pmcockpit (server closed the connection)")

    async with app.run_test() as pilot:
        await settle(pilot)
        worker = app.run_worker(step, thread=True, exit_on_error=False)
        with pytest.raises(WorkerFailed):
            await worker.wait()
        await pilot.pause()
        assert any(n.startswith("Database unavailable: lost the connection")
                   for n in notifications(app))
        assert app.is_running
