"""First-response service levels: states, synonyms, and the cutoffs queries use."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pmcockpit.core.sla import SlaState, sla_hours_for, sla_status, waiting_cutoffs

NOW = datetime(2025, 3, 10, 9, 0)
HOURS = {"Urgent": 4, "High": 8, "Normal": 24, "Low": 72}


def status(priority: str = "Normal", *, age_hours: float, reply_after: float | None = None,
           closed: bool = False) -> tuple[SlaState, timedelta | None]:
    created = NOW - timedelta(hours=age_hours)
    reply = None if reply_after is None else created + timedelta(hours=reply_after)
    result = sla_status(priority=priority, created_at=created, first_response_at=reply,
                        is_closed=closed, now=NOW, sla_hours=HOURS)
    return result.state, result.remaining


def test_waiting_ticket_with_time_left_is_on_track() -> None:
    state, remaining = status(age_hours=2)
    assert state == SlaState.ON_TRACK
    assert remaining == timedelta(hours=22)


def test_waiting_ticket_with_less_than_a_quarter_left_is_at_risk() -> None:
    assert status(age_hours=18.5)[0] == SlaState.AT_RISK
    assert status(age_hours=17.5)[0] == SlaState.ON_TRACK


def test_waiting_ticket_past_due_is_breached_with_negative_time_left() -> None:
    state, remaining = status("Urgent", age_hours=9)
    assert state == SlaState.BREACHED
    assert remaining == timedelta(hours=-5)


def test_reply_in_time_meets_the_sla_and_stops_the_clock() -> None:
    state, remaining = status(age_hours=100, reply_after=1)
    assert state == SlaState.MET
    assert remaining is None


def test_late_reply_stays_breached() -> None:
    assert status("High", age_hours=20, reply_after=9)[0] == SlaState.BREACHED


def test_reply_exactly_at_due_time_meets_it() -> None:
    assert status("High", age_hours=20, reply_after=8)[0] == SlaState.MET


def test_ticket_closed_unanswered_counts_as_met() -> None:
    assert status(age_hours=100, closed=True) == (SlaState.MET, None)


def test_due_time_is_creation_plus_the_priority_hours() -> None:
    created = NOW - timedelta(hours=1)
    result = sla_status(priority="Low", created_at=created, first_response_at=None,
                        is_closed=False, now=NOW, sla_hours=HOURS)
    assert result.due_at == created + timedelta(hours=72)


@pytest.mark.parametrize(("priority", "hours"), [
    ("Urgent", 4), ("urgent", 4), ("Immediate", 4), ("Highest", 4), ("Critical", 4),
    ("High", 8), ("Medium", 24), ("Lowest", 72), ("Something else", 24),
])
def test_priorities_of_every_tool_map_onto_the_configured_ones(priority: str,
                                                                 hours: int) -> None:
    assert sla_hours_for(priority, HOURS) == hours


def test_no_configured_level_means_no_sla() -> None:
    result = sla_status(priority="High", created_at=NOW, first_response_at=None,
                        is_closed=False, now=NOW, sla_hours={"Urgent": 4})
    assert result.state == SlaState.NO_SLA
    assert result.due_at is None


def test_cutoffs_agree_with_the_states() -> None:
    breached_before, at_risk_before = waiting_cutoffs(NOW, 24)
    assert breached_before == NOW - timedelta(hours=24)
    assert at_risk_before == NOW - timedelta(hours=18)
    just_breached = (NOW - breached_before).total_seconds() / 3600 + 0.01
    assert status(age_hours=just_breached)[0] == SlaState.BREACHED


@pytest.mark.parametrize(("age_hours", "needs"), [(30, True), (20, True), (2, False)])
def test_waiting_tickets_late_or_nearly_late_need_attention(age_hours: float,
                                                           needs: bool) -> None:
    result = sla_status(priority="Normal", created_at=NOW - timedelta(hours=age_hours),
                        first_response_at=None, is_closed=False, now=NOW, sla_hours=HOURS)
    assert result.needs_attention is needs


def test_answered_late_tickets_need_no_attention_today() -> None:
    created = NOW - timedelta(hours=50)
    result = sla_status(priority="Normal", created_at=created,
                        first_response_at=created + timedelta(hours=30), is_closed=False,
                        now=NOW, sla_hours=HOURS)
    assert result.state == SlaState.BREACHED
    assert not result.needs_attention
