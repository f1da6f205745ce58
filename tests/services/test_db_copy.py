"""``pmcockpit db copy --to URL``: an administrator's SQLite state into a team's
PostgreSQL database and back, verified by row counts and the audit chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from pmcockpit.cli import main
from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.services import audit_log
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim.tool import SimTool
from pmcockpit.storage import connections
from pmcockpit.storage.audit import AuditRecord
from pmcockpit.storage.db import open_database
from pmcockpit.storage.models import Account, AuditEntry
from tests.databases import database_url

pytestmark = pytest.mark.postgresql_only


async def _synced_sqlite(path: Path) -> tuple[str, int]:
    """A SQLite database with a synced Redmine and three audit entries: (URL, accounts)."""
    tool = SimTool(dialect="redmine", seed=7, scale=40)
    url = f"sqlite:///{path}"
    db = open_database(url)

    def opener(name: str) -> Connector:
        return registry.open_connector(ConnectionConfig(name, "redmine", tool.url, tool.token),
                                       transport=tool.transport())

    workspace = Workspace(Settings(db=url, operator="solo"), db, opener)
    with db.session() as session:
        connections.add(session, "rm", "redmine", tool.url)
    [report] = await sync_all(workspace)
    assert report.ok, report.error
    for n in range(3):
        audit_log.append(workspace, AuditRecord("solo", "rm", "lock-user", f"user {n}", "ok",
                                                {"n": n}, reason="left"),
                         audit_log.key_for(workspace))
    with db.session() as session:
        accounts = int(session.scalar(select(func.count()).select_from(Account)) or 0)
    db.dispose()
    return url, accounts


def _counts(url: str) -> tuple[int, int]:
    db = open_database(url)
    try:
        with db.session() as session:
            return (int(session.scalar(select(func.count()).select_from(Account)) or 0),
                    int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0))
    finally:
        db.dispose()


async def test_copy_to_postgresql_and_back(tmp_path: Path) -> None:
    mine, accounts = await _synced_sqlite(tmp_path / "mine.db")
    team = database_url(tmp_path / "team")
    runner = CliRunner()
    there = runner.invoke(main, ["--db", mine, "db", "copy", "--to", team])
    assert there.exit_code == 0, there.output
    assert "the audit log (3 entries) verifies" in there.output
    assert _counts(team) == (accounts, 3)
    assert runner.invoke(main, ["--db", team, "audit", "verify"]).exit_code == 0
    again = runner.invoke(main, ["--db", mine, "db", "copy", "--to", team])
    assert again.exit_code == 1 and "is not empty" in again.output
    back = f"sqlite:///{tmp_path / 'back.db'}"
    home = runner.invoke(main, ["--db", team, "db", "copy", "--to", back])
    assert home.exit_code == 0, home.output
    assert _counts(back) == (accounts, 3)
    verified = runner.invoke(main, ["--db", back, "audit", "verify"])
    assert verified.exit_code == 0, verified.output
