"""ZenTaoConnector: parsers against payloads written from ZenTao's source (see
fixtures/zentao/README.md), and the connector against the simulated ZenTao."""

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
from pmcockpit.connectors.registry import open_connector
from pmcockpit.connectors.zentao import ZenTaoConnector
from pmcockpit.connectors.zentao_read import parse_account, parse_bug, parse_departments
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.records import AccountStatus
from pmcockpit.sim.dialects.zentao import zentao_facts
from pmcockpit.sim.http import json_response
from pmcockpit.sim.tool import SimTool

FIXTURES = Path(__file__).parent / "fixtures" / "zentao"
NOW = datetime(2024, 5, 2, tzinfo=UTC)


def payload(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_users_parse_with_last_login_and_lock_out() -> None:
    first, second = (parse_account(u, NOW) for u in payload("users")["users"])
    assert (first.login, first.name, first.email) == ("zhangsan", "张三", "zhangsan@example.com")
    assert first.last_login_at == datetime.fromtimestamp(1700000000, UTC)
    assert first.status is AccountStatus.ACTIVE
    assert first.created_at is not None and first.created_at.date().isoformat() == "2021-03-01"
    assert (second.status, second.email, second.last_login_at, second.created_at) == (
        AccountStatus.LOCKED, None, None, None)


def test_profile_knows_it_is_an_admin() -> None:
    me = parse_account(payload("profile")["profile"], NOW)
    assert (me.login, me.is_admin) == ("admin", True)
    assert me.last_login_at == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_the_department_tree_becomes_groups_with_their_people() -> None:
    groups = parse_departments(payload("departments"), payload("users")["users"])
    assert [(g.remote_id, g.name, g.member_ids) for g in groups] == [
        ("1", "研发部", ("2",)), ("2", "产品部", ("3",)), ("3", "测试组", ())]


def test_a_bug_is_a_ticket_of_its_product_with_comments() -> None:
    ticket = parse_bug(payload("bug"))
    assert (ticket.key, ticket.project_id, ticket.status, ticket.is_closed) == (
        "BUG-7", "product-1", "激活", False)
    assert (ticket.author_id, ticket.assignee_id) == ("2", "3")
    assert [(c.author_name, c.body) for c in ticket.comments] == [("李四", "已复现")]


@pytest.fixture
def sim() -> SimTool:
    return SimTool(dialect="zentao", seed=7, scale=40)


def _connector(sim: SimTool, password: str | None = None) -> ZenTaoConnector:
    config = ConnectionConfig("zt", "zentao", sim.url, password or sim.token,
                              sim.connector_options)
    connector = open_connector(config, transport=sim.transport())
    assert isinstance(connector, ZenTaoConnector)
    return connector


@pytest.fixture
async def zentao(sim: SimTool) -> AsyncIterator[ZenTaoConnector]:
    connector = _connector(sim)
    yield connector
    await connector.aclose()


async def test_accounts_match_the_sim_and_the_password_never_shows(
        sim: SimTool, zentao: ZenTaoConnector) -> None:
    accounts = await zentao.list_accounts()
    facts = zentao_facts(sim.state)
    assert {a.login for a in accounts} == {
        u.login for u in sim.state.users.values() if u.id not in facts.deleted}
    assert sim.token not in repr(zentao.client) and "Token" not in str(zentao.client)


async def test_without_company_browse_the_message_names_the_privilege(
        sim: SimTool, zentao: ZenTaoConnector) -> None:
    zentao_facts(sim.state).no_company_browse.add(1)
    with pytest.raises(PermissionDenied, match="company-browse"):
        await zentao.list_accounts()


async def test_an_expired_session_is_renewed_once(sim: SimTool, zentao: ZenTaoConnector) -> None:
    await zentao.current_account()
    zentao_facts(sim.state).sessions.clear()  # the server forgot every session
    assert (await zentao.current_account()).login == "admin"


async def test_six_wrong_logins_lock_the_account_out_in_the_sim(sim: SimTool) -> None:
    for _ in range(6):
        connector = _connector(sim, password="wrong")
        with pytest.raises(AuthenticationFailed, match="will not try again"):
            await connector.list_accounts()
        with pytest.raises(AuthenticationFailed):  # the same refusal, no second login
            await connector.current_account()
        await connector.aclose()
    right = _connector(sim)
    with pytest.raises(AuthenticationFailed, match="10"):
        await right.current_account()
    await right.aclose()


async def test_a_page_that_breaks_the_total_is_refused(sim: SimTool,
                                                      zentao: ZenTaoConnector) -> None:
    original = sim.dialect.handle

    def short_total(state: Any, request: Any) -> Any:
        response = original(state, request)
        if request.path.endswith("/users"):
            data = response.json()
            return json_response(200, {**data, "total": data["total"] + 5})
        return response

    sim.dialect = replace(sim.dialect, handle=short_total)
    # ZenTao answers a page past the end with the last page again: caught, not stored.
    with pytest.raises(BadResponse, match="cannot be trusted"):
        await zentao.list_accounts()


def test_capability_gaps_say_why(zentao: ZenTaoConnector) -> None:
    assert Capability.LOCK_USERS not in zentao.capabilities()
    assert "cannot lock an account" in (zentao.unsupported_reason(Capability.LOCK_USERS) or "")
    assert zentao.unsupported_reason(Capability.DEACTIVATE_USERS) is None
