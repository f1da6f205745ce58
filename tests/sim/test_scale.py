"""Fifty thousand people: the organisation and a tool's state keep their shape at scale.

How long that takes is measured by ``benchmarks/sync_scale.py``, not asserted here.
"""

from __future__ import annotations

import pytest

from pmcockpit.sim.org import Organisation, build_org
from pmcockpit.sim.state import ToolState
from tests.sim.conftest import NOW

SCALE = 50_000


@pytest.fixture(scope="module")
def big_org() -> Organisation:
    return build_org(seed=7, scale=SCALE, now=NOW)


def test_the_organisation_keeps_its_proportions(big_org: Organisation) -> None:
    assert len(big_org.employees) == SCALE
    assert len({p.login for p in big_org.people}) == len(big_org.people)
    assert 3500 <= len(big_org.projects) <= 4500
    assert 3500 <= sum(p.has_left for p in big_org.employees) <= 4500
    assert 4 <= len(big_org.admins) <= 6


def test_a_tool_state_holds_everyone_and_its_own_tickets(big_org: Organisation) -> None:
    state = ToolState.from_org(big_org)
    assert len(state.users) == len(big_org.people) + 1
    assert len(state.issues) == sum(t.tool == "redmine" for t in big_org.tickets)
