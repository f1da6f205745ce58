"""One deadline per request: a server that accepts and never answers is reported quickly.

The server here is a real loopback socket that accepts the connection, reads the
request and stays silent; nothing is mocked below httpx.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from pmcockpit.connectors.errors import Unreachable
from pmcockpit.connectors.http import (
    DEFAULT_LIMITS,
    RequestLimits,
    RetryPolicy,
    ToolClient,
    request_limits,
)
from tests import loopback

FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.01)


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    async with loopback.silent_server() as url:
        yield url


async def test_the_deadline_covers_every_retry(silent_server: str) -> None:
    told: list[str] = []
    limits = RequestLimits(attempt_seconds=0.2, deadline_seconds=0.5, on_wait=told.append)
    client = ToolClient("silent", silent_server, retry=FAST_RETRY, limits=limits)
    started = time.monotonic()
    with pytest.raises(Unreachable) as caught:
        await client.get_json("/users.json")
    elapsed = time.monotonic() - started
    await client.aclose()
    assert 0.5 <= elapsed < 2.0
    assert str(caught.value).startswith(
        "silent: GET /users.json got no complete answer within 0.5 s "
        "(connecting, reading and retrying)")
    assert "request_deadline" in caught.value.hint
    # The first failed try was told while waiting, with what comes next.
    assert told[0] == ("silent: 127.0.0.1 accepted GET /users.json but did not answer in time; "
                       "trying again (2 of 4)")


async def test_a_try_that_fails_is_reported_when_the_deadline_allows_no_retry(
        silent_server: str) -> None:
    limits = RequestLimits(attempt_seconds=0.2, deadline_seconds=5.0)
    client = ToolClient("silent", silent_server, retry=RetryPolicy(max_attempts=1),
                        limits=limits)
    with pytest.raises(Unreachable, match=r"accepted GET /users\.json but did not answer"):
        await client.get_json("/users.json")
    await client.aclose()


async def test_the_runs_limits_apply_to_clients_without_their_own(silent_server: str) -> None:
    told: list[str] = []
    client = ToolClient("silent", silent_server, retry=FAST_RETRY)
    assert client.limits is DEFAULT_LIMITS
    run = RequestLimits(attempt_seconds=0.1, deadline_seconds=0.3, on_wait=told.append)
    with request_limits(run), pytest.raises(Unreachable, match=r"within 0\.3 s"):
        await client.get_json("/users.json")
    assert told and client.limits is DEFAULT_LIMITS
    await client.aclose()


async def test_probe_has_the_same_deadline(silent_server: str) -> None:
    limits = RequestLimits(attempt_seconds=5.0, deadline_seconds=0.3)
    client = ToolClient("silent", silent_server, limits=limits)
    with pytest.raises(Unreachable, match=r"within 0\.3 s"):
        await client.probe("/users/current.json")
    await client.aclose()


def test_defaults_report_the_first_failure_within_ten_seconds() -> None:
    assert DEFAULT_LIMITS.attempt_seconds <= 10
    assert DEFAULT_LIMITS.deadline_seconds <= 60


async def test_waiting_for_a_slot_is_not_counted_against_the_deadline() -> None:
    """Thousands of requests queue behind the in-flight limit in a big sync; the deadline
    is the tool's time to answer one, not the queue's length."""
    import asyncio

    from pmcockpit.sim import SimTool, serve

    tool = SimTool("redmine", seed=7, scale=40, latency_ms=100)
    with serve(tool) as running:
        limits = RequestLimits(attempt_seconds=0.4, deadline_seconds=0.4)
        client = ToolClient("queued", running.url, auth_headers=tool.auth_headers(),
                            retry=FAST_RETRY, limits=limits, max_in_flight=1)
        # Eight answers of 0.1 s each, one at a time: the last waits 0.7 s for its slot.
        answers = await asyncio.gather(*(client.get_json("/users/current.json")
                                         for _ in range(8)))
        await client.aclose()
    assert len(answers) == 8
