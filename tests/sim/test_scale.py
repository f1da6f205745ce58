"""Fifty thousand people: the organisation and a tool's state build in seconds."""

from __future__ import annotations

import time

import pytest

from pmcockpit.sim.org import Organisation, build_org
from pmcockpit.sim.state import ToolState
from tests.sim.conftest import NOW

SCALE = 50_000
LIMIT_SECONDS = 15  # a few seconds normally; generous for a loaded CI machine


@pytest.fixture(scope="module")
def timed_org() -> tuple[Organisation, float]:
    started = time.perf_counter()
    org = build_org(seed=7, scale=SCALE, now=NOW)
    return org, time.perf_counter() - started


def test_organisation_builds_in_seconds(timed_org: tuple[Organisation, float]) -> None:
    org, elapsed = timed_org
    assert elapsed < LIMIT_SECONDS
    assert len(org.employees) == SCALE
    assert len({p.login for p in org.people}) == len(org.people)
    assert 3500 <= len(org.projects) <= 4500
    assert 3500 <= sum(p.has_left for p in org.employees) <= 4500
    assert 4 <= len(org.admins) <= 6


def test_tool_state_builds_in_seconds(timed_org: tuple[Organisation, float]) -> None:
    org, _ = timed_org
    started = time.perf_counter()
    state = ToolState.from_org(org)
    assert time.perf_counter() - started < LIMIT_SECONDS
    assert len(state.users) == len(org.people) + 1
    assert len(state.issues) == len(org.tickets)
