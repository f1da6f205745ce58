"""Alerts: each platform's request format and signature, checked by loopback receivers
that verify them as the platforms document; e-mail over STARTTLS with a login; retries;
grouping of repeats; and the standing problems the sweep finds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pmcockpit.connectors import notify
from pmcockpit.connectors.tokens import TokenStore
from pmcockpit.core.alerts import Alert
from pmcockpit.core.clock import utcnow
from pmcockpit.services import alert_triggers, alerts
from pmcockpit.services.alerts import NotifierSpec
from pmcockpit.storage import alerts as store
from tests.alert_receivers import PASSWORD, SECRET, USER, http_receiver, smtp_server
from tests.keyring_backend import MemoryKeyring
from tests.services.checklist_sim import SimSetup, sim_setup


@pytest.fixture
def setup(tmp_path: Path) -> SimSetup:
    return sim_setup(tmp_path)


@pytest.fixture
def keyring(memory_keyring_for_every_test: MemoryKeyring) -> MemoryKeyring:
    return memory_keyring_for_every_test


NOW = datetime(2026, 12, 6, 8, 0)


def _alert(state: str = "down") -> Alert:
    return Alert("tool:rm", state, "rm is down", "connection rm: ConnectError",
                 NOW - timedelta(minutes=30), "`pmcockpit connect test rm`")


async def test_feishu_dingtalk_slack_webhook_requests_are_as_documented(
        setup: SimSetup, keyring: MemoryKeyring) -> None:
    with http_receiver() as receiver:
        for kind in ("feishu", "dingtalk", "slack", "webhook"):
            alerts.add_notifier(setup.workspace, NotifierSpec(
                kind, kind, url=f"{receiver.url}/{kind}/hook?access_token=tok", secret=SECRET))
        deliveries = await alerts.dispatch(setup.workspace, [_alert()], now=NOW, backoff_s=0)
    assert sorted((d.notifier, d.ok, d.attempts) for d in deliveries) == [
        ("dingtalk", True, 1), ("feishu", True, 1), ("slack", True, 1), ("webhook", True, 1)]
    [feishu] = receiver.on("/feishu/hook")
    assert feishu.signed and feishu.body["msg_type"] == "text"
    assert "rm is down" in feishu.body["content"]["text"]
    assert "`pmcockpit connect test rm`" in feishu.body["content"]["text"]
    [dingtalk] = receiver.on("/dingtalk/hook")
    assert dingtalk.signed and dingtalk.query["access_token"] == "tok"
    assert dingtalk.body["msgtype"] == "text" and "Where: connection rm" in \
        dingtalk.body["text"]["content"]
    [slack] = receiver.on("/slack/hook")
    assert slack.body["text"].startswith("*pmcockpit: rm is down*")
    [hook] = receiver.on("/webhook/hook")
    assert hook.signed and hook.body["alerts"][0]["key"] == "tool:rm"
    # Nothing secret in the database.
    with setup.db.session() as session:
        assert all(not n.options for n in store.notifiers(session))
    assert (("pmcockpit", "alert-feishu-secret"), SECRET) in keyring.passwords.items()


async def test_a_wrong_secret_is_refused_and_reported(setup: SimSetup) -> None:
    with http_receiver() as receiver:
        alerts.add_notifier(setup.workspace, NotifierSpec(
            "ding", "dingtalk", url=f"{receiver.url}/dingtalk/send", secret="SECwrong"))
        [delivery] = await alerts.dispatch(setup.workspace, [_alert()], now=NOW, backoff_s=0)
    assert not delivery.ok and delivery.attempts == 3
    assert "310000" in delivery.error and "SECwrong" not in delivery.error
    assert [r.signed for r in receiver.requests] == [False, False, False]
    # Not sent: the next dispatch tries again.
    with setup.db.session() as session:
        assert store.last_sent(session, "ding", "tool:rm") is None


async def test_a_failing_receiver_is_retried(setup: SimSetup) -> None:
    with http_receiver() as receiver:
        receiver.failures = 2
        alerts.add_notifier(setup.workspace, NotifierSpec("s", "slack", url=receiver.url + "/s"))
        [delivery] = await alerts.dispatch(setup.workspace, [_alert()], now=NOW, backoff_s=0)
    assert (delivery.ok, delivery.attempts) == (True, 3)
    assert len(receiver.requests) == 3


async def test_an_unreachable_receiver_times_out_and_is_reported(setup: SimSetup) -> None:
    from tests.loopback import silent_server

    async with silent_server() as url:
        alerts.add_notifier(setup.workspace, NotifierSpec("s", "slack", url=url))
        target = notify.Target("s", "slack", url=url)
        sent = await notify.send(target, notify.Message("t", "x"), attempts=2, backoff_s=0,
                                 timeout_s=0.2)
    assert (sent.ok, sent.attempts, sent.error) == (False, 2, "ReadTimeout")


async def test_email_goes_over_starttls_with_the_keyrings_password(
        setup: SimSetup, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as box:
        alerts.add_notifier(setup.workspace, NotifierSpec(
            "mail", "email", secret=PASSWORD, to=("ops@example.org", "lead@example.org"),
            smtp_host=box.host, smtp_port=box.port, sender="cockpit@example.org",
            username=USER))
        [delivery] = await alerts.dispatch(setup.workspace, [_alert()], now=NOW, backoff_s=0)
    assert delivery.ok, delivery.error
    [mail] = box.messages
    assert box.tls == [True] and box.logins == [USER]
    assert mail["Subject"] == "pmcockpit: rm is down"
    assert mail["To"] == "ops@example.org, lead@example.org"
    assert "What to do: `pmcockpit connect test rm`" in mail.get_payload()


async def test_repeats_are_grouped_until_changed_or_reminded(setup: SimSetup) -> None:
    with http_receiver() as receiver:
        alerts.add_notifier(setup.workspace, NotifierSpec("s", "slack", url=receiver.url + "/s"))

        async def sent_at(now: datetime, alert: Alert) -> int:
            return sum(d.alerts for d in await alerts.dispatch(
                setup.workspace, [alert], now=now, backoff_s=0))

        assert await sent_at(NOW, _alert()) == 1
        assert await sent_at(NOW + timedelta(hours=1), _alert()) == 0  # the same problem
        assert await sent_at(NOW + timedelta(hours=2), _alert("token")) == 1  # it changed
        assert await sent_at(NOW + timedelta(hours=27), _alert("token")) == 1  # reminder
        alerts.resolve(setup.workspace, "tool:", set(), NOW + timedelta(hours=28))
        assert await sent_at(NOW + timedelta(hours=29), _alert("token")) == 1  # back again
    assert len(receiver.requests) == 4
    # The reminder says since when the problem lasts: its first sighting.
    assert "Since:" in receiver.requests[2].body["text"]


async def test_several_problems_are_one_message(setup: SimSetup) -> None:
    with http_receiver() as receiver:
        alerts.add_notifier(setup.workspace, NotifierSpec("s", "slack", url=receiver.url + "/s"))
        other = replace(_alert(), key="tool:gl", what="gl is down")
        [delivery] = await alerts.dispatch(setup.workspace, [_alert(), other], now=NOW)
    assert delivery.alerts == 2
    [request] = receiver.requests
    assert request.body["text"].startswith("*pmcockpit: 2 problems*")


async def test_a_notifier_whose_secret_is_gone_is_reported(setup: SimSetup,
                                                           keyring: MemoryKeyring) -> None:
    alerts.add_notifier(setup.workspace, NotifierSpec("s", "slack", url="http://127.0.0.1:9/"))
    keyring.passwords.clear()
    [delivery] = await alerts.dispatch(setup.workspace, [_alert()], now=NOW)
    assert not delivery.ok and "alert-s" in delivery.error


def test_bad_notifiers_are_refused(setup: SimSetup) -> None:
    for spec, says in [
        (NotifierSpec("x y", "slack", url="https://h/"), "no notifier name"),
        (NotifierSpec("x", "teams", url="https://h/"), "unknown kind"),
        (NotifierSpec("x", "feishu", url="open.feishu.cn"), "needs --url"),
        (NotifierSpec("x", "email", smtp_host="h"), "needs --to"),
        (NotifierSpec("x", "email", to=("a@b",)), "needs --smtp"),
    ]:
        with pytest.raises(alerts.AlertSetupError, match=says):
            alerts.add_notifier(setup.workspace, spec, TokenStore())
    assert alerts.list_notifiers(setup.workspace) == []


async def test_the_sweep_finds_a_tool_down_and_an_outbox_item_stuck(setup: SimSetup) -> None:
    from pmcockpit.services.health import check_health
    from pmcockpit.storage import outbox

    setup.tool.faults.disconnect(times=50)
    await check_health(setup.workspace, "rm")
    with setup.db.session() as session:
        item = outbox.add(session, operator="t", connection="rm", ticket_key="rm#3",
                          action={"kind": "comment"})
    found = {a.key: a for a in alert_triggers.collect(setup.workspace,
                                                      utcnow() + timedelta(hours=2))}
    assert found["tool:rm"].state == "down" and found["tool:rm"].what == "rm is down"
    assert "connect test rm" in found["tool:rm"].fix
    assert found[f"outbox:{item}"].fix.startswith("`pmcockpit outbox send`")
