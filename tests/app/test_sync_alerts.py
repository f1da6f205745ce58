"""The cockpit's sync (key s) alerts on standing problems, in its worker: the UI answers."""

from __future__ import annotations

from pathlib import Path

from pmcockpit.app import CockpitApp
from pmcockpit.core.clock import utcnow
from pmcockpit.services import alerts
from pmcockpit.services.alerts import NotifierSpec
from tests.alert_receivers import SECRET, http_receiver
from tests.app.helpers import notifications, settle
from tests.services.checklist_sim import sim_setup


async def test_a_sync_in_the_cockpit_sends_the_alert_of_a_tool_down(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path)
    setup.tool.faults.disconnect(times=1000)
    with http_receiver() as receiver:
        alerts.add_notifier(setup.workspace, NotifierSpec(
            "team", "dingtalk", url=f"{receiver.url}/dingtalk/hook?access_token=t",
            secret=SECRET))
        app = CockpitApp(setup.workspace, clock=utcnow)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            shown = notifications(app)
            assert any("Sync of rm failed" in n for n in shown), shown
            assert any(n.endswith("Alert sent to team") for n in shown), shown
            await pilot.press("2")  # the cockpit still answers
            await settle(pilot)
    [robot] = receiver.on("/dingtalk/hook")
    assert robot.signed and "rm is down" in robot.body["text"]["content"]
