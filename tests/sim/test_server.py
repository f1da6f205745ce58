"""The same simulated tool on a real loopback HTTP server, with a real httpx client."""

from __future__ import annotations

import time

import httpx
import pytest

from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED
from pmcockpit.sim.server import serve
from pmcockpit.sim.tool import SimTool


async def test_loopback_reads_and_writes(tool: SimTool) -> None:
    with serve(tool) as running:
        assert running.url.startswith("http://127.0.0.1:") and running.port > 0
        async with httpx.AsyncClient(base_url=running.url,
                                     headers=tool.auth_headers()) as client:
            me = await client.get("/users/current.json")
            assert me.json()["user"]["login"] == "admin"
            page = (await client.get("/users.json", params={"limit": 100})).json()
            assert len(page["users"]) == 100

            user = next(u for u in tool.state.users.values()
                        if u.status == USER_ACTIVE and not u.admin)
            locked = await client.put(f"/users/{user.id}.json", json={"user": {"status": 3}})
            assert (locked.status_code, locked.content) == (204, b"")
            assert tool.state.users[user.id].status == USER_LOCKED

            created = await client.post("/issues.json", json={"issue": {
                "project_id": 1, "subject": "Printer on floor 3"}})
            assert created.status_code == 201
            issue_id = created.json()["issue"]["id"]
            assert tool.state.issues[issue_id].subject == "Printer on floor 3"

            assert (await client.get("/users.json", headers={"X-Redmine-API-Key": "no"})
                    ).status_code == 401


def test_sync_client_and_faults_over_the_wire(tool: SimTool) -> None:
    lines: list[str] = []
    with serve(tool, log=lines.append) as running, httpx.Client(
            base_url=running.url, headers=tool.auth_headers()) as client:
        tool.faults.rate_limit(retry_after=4)
        limited = client.get("/roles.json")
        assert (limited.status_code, limited.headers["Retry-After"]) == (429, "4")
        tool.faults.malformed_json()
        assert client.get("/roles.json").status_code == 200
        tool.faults.disconnect()
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/roles.json")
        assert client.get("/roles.json").json()["roles"]
    assert "GET /roles.json -> 429" in lines


def test_timeout_over_the_wire_and_prompt_shutdown(tool: SimTool) -> None:
    started = time.perf_counter()
    with serve(tool) as running, httpx.Client(base_url=running.url, timeout=0.3,
                                              headers=tool.auth_headers()) as client:
        tool.faults.timeout(hang_seconds=30)
        with pytest.raises(httpx.ReadTimeout):
            client.get("/roles.json")
    assert time.perf_counter() - started < 10  # the hanging handler was released on shutdown


def test_loopback_replies_do_not_stall_on_delayed_acks(tool: SimTool) -> None:
    """Headers and body leave in one write with TCP_NODELAY: a keep-alive round trip
    takes well under the ~40 ms a Nagle/delayed-ACK stall adds (median of 9)."""
    with serve(tool) as running, httpx.Client(base_url=running.url,
                                             headers=tool.auth_headers()) as client:
        client.get("/users/current.json")
        spent = []
        for _ in range(9):
            started = time.perf_counter()
            assert client.get("/users/current.json").status_code == 200
            spent.append(time.perf_counter() - started)
    assert sorted(spent)[4] < 0.02
