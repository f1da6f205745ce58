"""Alerts after a sync: the standing problems reach the team without cron."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmcockpit.services import alert_triggers, alerts
from pmcockpit.services.alerts import NotifierSpec
from pmcockpit.services.sync import sync_all
from pmcockpit.storage import connections
from tests.alert_receivers import SECRET, http_receiver
from tests.services.checklist_sim import SimSetup, sim_setup


@pytest.fixture
def setup(tmp_path: Path) -> SimSetup:
    return sim_setup(tmp_path)


async def test_a_sync_of_a_tool_down_alerts_once_and_a_good_one_closes_it(
        setup: SimSetup) -> None:
    with http_receiver() as receiver:
        alerts.add_notifier(setup.workspace, NotifierSpec(
            "ops", "feishu", url=f"{receiver.url}/feishu/hook", secret=SECRET))
        setup.tool.faults.disconnect(times=1000)
        reports = await sync_all(setup.workspace)
        assert not reports[0].ok
        [sent] = await alert_triggers.after_sync(setup.workspace, reports)
        assert sent.ok and sent.notifier == "ops"
        [message] = receiver.on("/feishu/hook")
        assert message.signed and "rm is down" in message.body["content"]["text"]

        again = await alert_triggers.after_sync(setup.workspace, await sync_all(setup.workspace))
        assert again == [] and len(receiver.on("/feishu/hook")) == 1  # grouped

        setup.tool.faults.clear()
        good = await sync_all(setup.workspace)
        assert good[0].ok
        await alert_triggers.after_sync(setup.workspace, good)
        with setup.db.session() as session:
            assert connections.latest_health(session)["rm"].reachable
        assert "tool:rm" not in {a.key for a in alert_triggers.collect(setup.workspace)}


async def test_without_a_notifier_a_sync_measures_and_sends_nothing(setup: SimSetup) -> None:
    setup.tool.faults.disconnect(times=1000)
    reports = await sync_all(setup.workspace)
    assert await alert_triggers.after_sync(setup.workspace, reports) == []
    with setup.db.session() as session:
        assert "rm" not in connections.latest_health(session)  # no extra request made
