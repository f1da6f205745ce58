"""Injected faults and latency through the in-process transport."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from pmcockpit.sim.faults import FaultKind, FaultPlan
from pmcockpit.sim.http import SimRequest
from pmcockpit.sim.tool import SimTool


async def test_rate_limit_with_retry_after_then_normal(tool: SimTool,
                                                       client: httpx.AsyncClient) -> None:
    tool.faults.rate_limit(2, retry_after=7, path="/users.json")
    for _ in range(2):
        limited = await client.get("/users.json")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "7"
    assert (await client.get("/users.json")).status_code == 200
    assert tool.faults.injected == [(FaultKind.RATE_LIMIT, "/users.json")] * 2


async def test_faults_only_hit_matching_requests(tool: SimTool,
                                                 client: httpx.AsyncClient) -> None:
    tool.faults.server_error(500, path="/issues", method="POST")
    assert (await client.get("/issues.json")).status_code == 200
    assert (await client.get("/users/current.json")).status_code == 200
    failed = await client.post("/issues.json", json={"issue": {"project_id": 1,
                                                               "subject": "x"}})
    assert failed.status_code == 500
    assert failed.headers["Content-Type"].startswith("text/html")
    assert not tool.faults.faults


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors(tool: SimTool, client: httpx.AsyncClient, status: int) -> None:
    tool.faults.server_error(status)
    assert (await client.get("/roles.json")).status_code == status
    assert (await client.get("/roles.json")).status_code == 200


async def test_a_faulted_write_changes_nothing(tool: SimTool, client: httpx.AsyncClient) -> None:
    count = len(tool.state.issues)
    tool.faults.server_error(502, method="POST")
    await client.post("/issues.json", json={"issue": {"project_id": 1, "subject": "x"}})
    assert len(tool.state.issues) == count


async def test_malformed_json_is_a_truncated_200(tool: SimTool,
                                                 client: httpx.AsyncClient) -> None:
    tool.faults.malformed_json(path="/users/current.json")
    broken = await client.get("/users/current.json")
    assert broken.status_code == 200
    assert broken.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    assert (await client.get("/users/current.json")).json()["user"]["login"] == "admin"


async def test_timeout_raises_read_timeout(tool: SimTool, client: httpx.AsyncClient) -> None:
    tool.faults.timeout(path="/groups.json")
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/groups.json")
    assert (await client.get("/groups.json")).status_code == 200


async def test_disconnect_raises_protocol_error(tool: SimTool,
                                                client: httpx.AsyncClient) -> None:
    tool.faults.disconnect()
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("/roles.json")


async def test_latency_delays_each_answer(tool: SimTool, client: httpx.AsyncClient) -> None:
    tool.faults.latency_ms = 60
    started = time.perf_counter()
    await client.get("/roles.json")
    assert time.perf_counter() - started >= 0.06
    tool.faults.clear()
    assert tool.faults.latency_ms == 0


def test_sync_transport_shares_state_and_faults(tool: SimTool) -> None:
    with tool.sync_client() as client:
        tool.faults.rate_limit(retry_after=2)
        assert client.get("/users/current.json").status_code == 429
        assert client.get("/users/current.json").json()["user"]["id"] == 1


def test_error_rate_is_deterministic_by_seed() -> None:
    request = SimRequest.build("GET", "/users.json")

    def pattern(seed: int) -> list[bool]:
        plan = FaultPlan(error_rate=0.3, seed=seed)
        return [plan.take(request) is not None for _ in range(200)]

    first = pattern(seed=1)
    assert first == pattern(seed=1) != pattern(seed=2)
    assert 30 <= sum(first) <= 90
