"""Health of a connection against the simulated Redmine: up, down, and refused tokens."""

from __future__ import annotations

from pathlib import Path

from pmcockpit.services.health import check_health
from pmcockpit.storage import connections
from tests.services.checklist_sim import CONNECTION, sim_setup


async def test_a_healthy_tool_is_measured_and_recorded(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path)
    facts = await check_health(setup.workspace, CONNECTION)
    assert (facts.reachable, facts.authenticated, facts.is_admin) == (True, True, True)
    assert facts.latency_ms is not None and facts.error is None
    with setup.db.session() as session:
        latest = connections.latest_health(session)[CONNECTION]
        assert latest.reachable and latest.latency_ms == facts.latency_ms


async def test_a_server_error_is_down_not_an_authentication_failure(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path)
    setup.tool.faults.server_error(status=500, times=10)
    facts = await check_health(setup.workspace, CONNECTION)
    assert (facts.reachable, facts.authenticated) == (False, False)
    assert "HTTP 500" in (facts.error or "")


async def test_a_wrong_token_is_reachable_but_not_authenticated(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path, token="not-the-token")
    facts = await check_health(setup.workspace, CONNECTION)
    assert (facts.reachable, facts.authenticated) == (True, False)
    assert "wrong or expired" in (facts.error or "")
    assert "not-the-token" not in (facts.error or "")
