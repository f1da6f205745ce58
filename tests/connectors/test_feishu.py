"""FeishuConnector: parsers against documented payloads (fixtures/feishu/README.md), and
the connector against the simulated Feishu: token, paging, scope errors, pacing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.errors import AuthenticationFailed, BadResponse, PermissionDenied
from pmcockpit.connectors.feishu import FeishuConnector
from pmcockpit.connectors.feishu_read import (
    parse_account,
    parse_active_time,
    roster_row,
)
from pmcockpit.connectors.registry import open_connector
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.records import AccountStatus
from pmcockpit.sim.dialects.feishu import feishu_facts
from pmcockpit.sim.http import json_response
from pmcockpit.sim.tool import SimTool

FIXTURES = Path(__file__).parent / "fixtures" / "feishu"


def payload(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_users_parse_status_manager_and_join_time() -> None:
    items = payload("find_by_department")["data"]["items"]
    first, frozen, resigned = (parse_account(u) for u in items)
    assert (first.remote_id, first.name, first.email) == ("3e3cf96b", "张三", "demo@mail.com")
    assert first.status is AccountStatus.ACTIVE
    assert first.created_at == datetime.fromtimestamp(2147483647, UTC)
    assert (frozen.status, frozen.is_admin, frozen.email) == (AccountStatus.LOCKED, True, None)
    assert (resigned.status, resigned.created_at) == (AccountStatus.LOCKED, None)


def test_roster_rows_say_who_left() -> None:
    items = payload("find_by_department")["data"]["items"]
    rows = [roster_row(u, {"od-4e6ac4d14bcd5071a37a39de902c7141": "测试部"}) for u in items]
    assert [(r.employee_id, r.department, r.has_left, r.is_frozen) for r in rows] == [
        ("1", "测试部", False, False), ("2", "测试部", False, True), ("3", "", True, False)]


def test_last_activity_is_china_time() -> None:
    rows = payload("user_stats")["data"]["items"]
    assert parse_active_time(rows[0]["last_active_time"]) == datetime(2024, 5, 1, 10, 20, 1,
                                                                      tzinfo=UTC)
    assert parse_active_time(rows[1]["last_active_time"]) is None


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="feishu", seed=7, scale=40)


def _connector(sim: SimTool, secret: str | None = None) -> FeishuConnector:
    config = ConnectionConfig("fs", "feishu", sim.url, secret or sim.token,
                              sim.connector_options)
    connector = open_connector(config, transport=sim.transport())
    assert isinstance(connector, FeishuConnector)
    return connector


@pytest.fixture
async def feishu(sim: SimTool) -> AsyncIterator[FeishuConnector]:
    connector = _connector(sim)
    yield connector
    await connector.aclose()


async def test_everyone_in_scope_is_read_once_with_the_leavers(
        sim: SimTool, feishu: FeishuConnector) -> None:
    accounts = await feishu.list_accounts()
    people = {u.login for u in sim.state.users.values() if u.login != "admin"}
    assert sorted(a.login for a in accounts) == sorted(people)
    resigned = {sim.state.users[i].login for i in feishu_facts(sim.state).resigned}
    assert resigned and {r.login for r in await feishu.roster() if r.has_left} == resigned
    assert any(a.last_login_at for a in accounts)


async def test_a_wrong_secret_is_named(sim: SimTool) -> None:
    connector = _connector(sim, secret="wrong")
    with pytest.raises(AuthenticationFailed, match="app secret invalid"):
        await connector.list_accounts()
    await connector.aclose()


async def test_an_expired_token_is_renewed(sim: SimTool, feishu: FeishuConnector) -> None:
    await feishu.current_account()
    feishu_facts(sim.state).tokens.clear()
    assert (await feishu.current_account()).login == feishu.api.app_id


async def test_outside_the_contact_scope_the_message_says_so(
        sim: SimTool, feishu: FeishuConnector) -> None:
    feishu_facts(sim.state).out_of_scope.add("d1-1")
    with pytest.raises(PermissionDenied, match="contact scope"):
        await feishu.list_accounts()


async def test_a_page_promising_more_without_a_token_is_refused(
        sim: SimTool, feishu: FeishuConnector) -> None:
    original = sim.dialect.handle

    def broken(state: Any, request: Any) -> Any:
        response = original(state, request)
        if request.path.endswith("/children"):
            data = response.json()
            data["data"]["has_more"] = True
            data["data"].pop("page_token", None)
            return json_response(200, data)
        return response

    sim.dialect = replace(sim.dialect, handle=broken)
    with pytest.raises(BadResponse, match="page_token"):
        await feishu.list_groups()


def test_capability_gaps_say_why(feishu: FeishuConnector) -> None:
    assert Capability.LOCK_USERS in feishu.capabilities()
    assert "directory" in (feishu.unsupported_reason(Capability.HAS_TICKETS) or "")


async def test_the_token_is_renewed_before_it_expires(
        sim: SimTool, feishu: FeishuConnector) -> None:
    now = [1000.0]
    feishu.api._clock = lambda: now[0]  # the connector's own clock, moved by hand
    tokens = feishu_facts(sim.state).tokens
    await feishu.current_account()
    first = set(tokens)
    now[0] += 7200 - 301  # still more than five minutes left: kept
    await feishu.current_account()
    assert set(tokens) == first
    now[0] += 2  # under five minutes left: a new one, before Feishu would refuse the old
    await feishu.current_account()
    assert len(set(tokens) - first) == 1
