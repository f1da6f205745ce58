"""``pmcockpit sync`` alerts on standing problems without cron: a tool down is sent once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmcockpit.commands import sync as sync_commands
from pmcockpit.commands.context import CliContext
from pmcockpit.config import Settings
from pmcockpit.services import alerts, opener
from pmcockpit.services.alerts import NotifierSpec
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.alert_receivers import SECRET, http_receiver
from tests.services.checklist_sim import SimSetup, sim_setup


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimSetup:
    setup = sim_setup(tmp_path)

    def sim_workspace(_settings: Settings, _db: Database) -> Workspace:
        return setup.workspace

    monkeypatch.setattr(opener, "real_workspace", sim_workspace)
    return setup


def test_a_failed_sync_sends_one_alert_and_a_second_sends_nothing(setup: SimSetup) -> None:
    setup.tool.faults.disconnect(times=1000)
    with http_receiver() as receiver:
        alerts.add_notifier(setup.workspace, NotifierSpec(
            "ops", "feishu", url=f"{receiver.url}/feishu/hook", secret=SECRET))
        said = []
        for _ in range(2):
            done = CliRunner().invoke(sync_commands.sync, ["--quiet"],
                                      obj=CliContext(setup.workspace.settings))
            assert done.exit_code == 1, done.output  # the sync failed: said, exit 1
            said.append(done.stderr)
    assert "alert sent to ops (1 tries)" in said[0]
    assert "alert" not in said[1]  # grouped: the same problem is not sent again
    [message] = receiver.on("/feishu/hook")
    assert message.signed and "rm is down" in message.body["content"]["text"]
