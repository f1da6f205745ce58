"""Notifiers declared in the config file (``[alerts.NAME]``), secrets still in the keyring,
merged with those ``pmcockpit alert add`` keeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pmcockpit.config import ConfigError, load_settings
from pmcockpit.core.alerts import Alert
from pmcockpit.services import alerts
from pmcockpit.services.alerts import AlertSetupError, NotifierSpec
from pmcockpit.services.workspace import Workspace
from tests.alert_receivers import SECRET, http_receiver
from tests.keyring_backend import MemoryKeyring
from tests.services.checklist_sim import SimSetup, sim_setup

NOW = datetime(2026, 12, 6, 8, 0)
CONFIG = """\
[alerts.ops-feishu]
kind = "feishu"

[alerts.oncall]
kind = "email"
to = ["oncall@example.org"]
smtp_host = "127.0.0.1"
smtp_port = 2525
"""


def _declared(setup: SimSetup, tmp_path: Path) -> Workspace:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    settings = load_settings(path, environ={})
    assert settings.alerts["oncall"]["to"] == ["oncall@example.org"]
    return replace(setup.workspace, settings=replace(setup.workspace.settings,
                                                     alerts=settings.alerts))


async def test_declared_notifiers_merge_with_added_ones_and_keep_secrets_in_the_keyring(
        tmp_path: Path, memory_keyring_for_every_test: MemoryKeyring) -> None:
    setup = sim_setup(tmp_path)
    workspace = _declared(setup, tmp_path)
    with http_receiver() as receiver:
        # alert add for a declared name keeps only its secrets: no second notifier.
        alerts.add_notifier(workspace, NotifierSpec(
            "ops-feishu", "feishu", url=f"{receiver.url}/feishu/hook", secret=SECRET))
        alerts.add_notifier(workspace, NotifierSpec(
            "chat", "slack", url=f"{receiver.url}/slack/hook"))
        assert [(n.name, n.kind) for n in alerts.list_notifiers(workspace)] == [
            ("chat", "slack"), ("oncall", "email"), ("ops-feishu", "feishu")]
        alert = Alert("tool:rm", "down", "rm is down", "connection rm", NOW, "fix it")
        sent = await alerts.dispatch(workspace, [alert], now=NOW, attempts=1, backoff_s=0)
    outcome = {d.notifier: d.ok for d in sent}
    assert outcome["ops-feishu"] and outcome["chat"]
    assert not outcome["oncall"]  # nothing listens on 2525: reported, the others still sent
    [feishu] = receiver.on("/feishu/hook")
    assert feishu.signed and "rm is down" in feishu.body["content"]["text"]
    stored = memory_keyring_for_every_test.passwords
    assert stored[("pmcockpit", "alert-ops-feishu-secret")] == SECRET
    assert "hook" not in (tmp_path / "config.toml").read_text(encoding="utf-8")
    again = await alerts.dispatch(workspace, [alert], now=NOW + timedelta(hours=1),
                                  attempts=1, backoff_s=0)
    assert [d.notifier for d in again] == ["oncall"]  # only the one that failed tries again
    with pytest.raises(AlertSetupError, match=r"\[alerts.ops-feishu\]"):
        alerts.remove_notifier(workspace, "ops-feishu")


@pytest.mark.parametrize(("table", "message"), [
    ('[alerts.x]\nkind = "feishu"\nurl = "https://open.feishu.cn/hook/tok"\n',
     "alerts.x.url is not a notifier setting"),
    ('[alerts.x]\nkind = "wechat"\n', "alerts.x.kind must be one of feishu, dingtalk"),
    ('alerts = {x = "feishu"}\n', r"alerts.x must be a table"),
])
def test_a_secret_or_a_wrong_kind_in_the_file_is_refused(tmp_path: Path, table: str,
                                                         message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path, environ={})
