"""The demo's checklist: the daily inspection due today, a few past runs (one missed),
its checks pointed at a backup file and a mail greeter that both go with the demo."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pmcockpit.config import Settings
from pmcockpit.core.checklist import DueState, Timeliness
from pmcockpit.services import checklist as service
from pmcockpit.services.demo import open_demo
from pmcockpit.storage.db import Database

DAILY = "daily-inspection"


def test_the_demo_has_a_daily_run_due_today_and_a_history(db: Database) -> None:
    with open_demo(db, Settings(operator="someone"), scale=10) as workspace:
        folder = workspace.settings.checklist_dir
        assert "127.0.0.1" in (folder / f"{DAILY}.toml").read_text(encoding="utf-8")
        overview = {item.template.key: item for item in service.due_overview(workspace)}
        daily = overview[DAILY]
        assert daily.run_id is not None and daily.needs_attention
        assert daily.state in (DueState.DUE, DueState.OVERDUE)
        assert [due.name for due in service.checklists_due(workspace)].count(
            "Daily inspection") == 1

        found = service.history(workspace, DAILY)
        past = [entry.outcome.timeliness for entry in found.entries[1:]]
        assert past.count(Timeliness.MISSED) == 1 and len(past) == 5
        assert found.rate.missed == 1 and found.rate.on_time == 4
        assert any(entry.failures for entry in found.entries)

        template = service.load_run(workspace, daily.run_id).template
        assert template is not None
        backups = Path(str(template.step("backup").params["path"]))
        assert any(backups.iterdir())
        mail = template.step("mail-server").params
        address = (str(mail["host"]), int(str(mail["port"])))
        with socket.create_connection(address, timeout=5) as connection:
            assert connection.recv(64).startswith(b"220")
    assert not folder.exists() and not backups.exists()
    with pytest.raises(OSError):  # the greeter stopped with the demo
        socket.create_connection(address, timeout=1).close()
