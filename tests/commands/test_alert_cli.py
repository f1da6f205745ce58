"""``pmcockpit alert`` and the acceptance run: cron's ``checklist run daily-inspection
--auto`` against a simulated tool that is down sends one signed Feishu message, one
signed DingTalk message and an e-mail; the same run an hour later sends nothing new."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pmcockpit.commands import alert as alert_commands
from pmcockpit.commands import checklist as checklist_commands
from pmcockpit.commands.context import CliContext
from pmcockpit.config import Settings
from pmcockpit.core.clock import utcnow
from pmcockpit.services import alert_triggers, opener
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.alert_receivers import PASSWORD, SECRET, USER, http_receiver, smtp_server
from tests.keyring_backend import MemoryKeyring
from tests.services.checklist_sim import SimSetup, sim_setup


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimSetup:
    setup = sim_setup(tmp_path)

    def sim_workspace(_settings: Settings, _db: Database) -> Workspace:
        return setup.workspace

    monkeypatch.setattr(opener, "real_workspace", sim_workspace)
    return setup


def run(setup: SimSetup, group: click.Group, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(group, list(args), input=stdin,
                              obj=CliContext(setup.workspace.settings))


def alert(setup: SimSetup, *args: str, stdin: str = "") -> Result:
    return run(setup, alert_commands.alert, *args, stdin=stdin)


def test_cron_run_against_a_tool_down_alerts_once(
        setup: SimSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        memory_keyring_for_every_test: MemoryKeyring) -> None:
    with http_receiver() as receiver, smtp_server(tmp_path) as box:
        assert alert(setup, "add", "team-feishu", "--kind", "feishu", "--url",
                     f"{receiver.url}/feishu/open-apis/bot/v2/hook/abc", "--secret-stdin",
                     stdin=SECRET + "\n").exit_code == 0
        assert alert(setup, "add", "team-ding", "--kind", "dingtalk", "--url",
                     f"{receiver.url}/dingtalk/robot/send?access_token=xyz", "--secret-stdin",
                     stdin=SECRET + "\n").exit_code == 0
        added = alert(setup, "add", "ops-mail", "--kind", "email", "--to", "ops@example.org",
                      "--smtp", f"{box.host}:{box.port}", "--user", USER, "--sender",
                      "cockpit@example.org", "--secret-stdin", stdin=PASSWORD + "\n")
        assert added.exit_code == 0, added.output
        setup.tool.faults.disconnect(times=10_000)

        first = run(setup, checklist_commands.checklist, "run", "daily-inspection", "--auto")
        assert first.exit_code == 1, first.output
        assert "alert sent to team-feishu (1 tries)" in first.stderr

        later = utcnow() + timedelta(hours=1)
        monkeypatch.setattr(alert_triggers, "utcnow", lambda: later)
        second = run(setup, checklist_commands.checklist, "run", "daily-inspection", "--auto")
        assert second.exit_code == 1
        assert "alert sent" not in second.stderr

    [feishu] = receiver.on("/feishu/open-apis/bot/v2/hook/abc")
    [ding] = receiver.on("/dingtalk/robot/send")
    assert feishu.signed and ding.signed
    text = feishu.body["content"]["text"]
    assert "Daily inspection: " in text and "Each tool is up and accepts logins: down" in text
    assert "pmcockpit checklist run daily-inspection --auto" in text
    [mail] = box.messages
    assert mail["Subject"].startswith("pmcockpit: Daily inspection")
    # The secrets are in the keyring, not in the database or the listing.
    listing = alert(setup, "list")
    assert "team-feishu" in listing.output and "abc" not in listing.output
    assert SECRET not in listing.output
    assert any(name == "alert-team-ding" for _service, name in
               memory_keyring_for_every_test.passwords)


def test_alert_test_remove_and_errors(setup: SimSetup) -> None:
    with http_receiver() as receiver:
        assert alert(setup, "add", "s", "--kind", "slack", "--url",
                     receiver.url + "/slack").exit_code == 0
        tested = alert(setup, "test", "s")
        assert tested.exit_code == 0 and "s: delivered." in tested.output
    assert "A test message from pmcockpit" in receiver.requests[0].body["text"]
    again = alert(setup, "add", "s", "--kind", "slack", "--url", receiver.url)
    assert again.exit_code == 2 and "already a notifier called s" in again.stderr
    bad = alert(setup, "add", "m", "--kind", "email", "--smtp", "mail:x", "--to", "a@b")
    assert bad.exit_code == 2 and "HOST:PORT" in bad.output
    assert alert(setup, "remove", "s").exit_code == 0
    gone = alert(setup, "test", "s")
    assert gone.exit_code == 2 and "no notifier called s" in gone.stderr
    assert "No notifier yet" in alert(setup, "list").output


def test_alert_check_reports_a_receiver_down(setup: SimSetup) -> None:
    import asyncio

    from pmcockpit.services.health import check_health

    setup.tool.faults.disconnect(times=50)
    asyncio.run(check_health(setup.workspace, "rm"))
    assert alert(setup, "add", "s", "--kind", "webhook", "--url",
                 "http://127.0.0.1:9/hook").exit_code == 0
    result = alert(setup, "check")
    assert result.exit_code == 1
    assert "alert NOT sent to s after 3 tries" in result.stderr
