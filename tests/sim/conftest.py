"""Fixtures for the simulator's tests: one pinned moment, a fresh tool per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pmcockpit.sim.tool import SimTool

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
WRITE_TIME = NOW + timedelta(minutes=5)


@pytest.fixture
def tool() -> SimTool:
    """The demo organisation at scale 150, dated at NOW; writes happen at WRITE_TIME."""
    return SimTool(seed=7, scale=150, now=NOW, clock=lambda: WRITE_TIME)


@pytest.fixture
async def client(tool: SimTool) -> AsyncIterator[httpx.AsyncClient]:
    """An admin client on the in-process transport."""
    async with tool.client() as admin_client:
        yield admin_client
