"""A service-level clock as words, the same on screen and in the CLI."""

from __future__ import annotations

from datetime import timedelta

from pmcockpit.core.clock import to_local
from pmcockpit.core.i18n import _
from pmcockpit.core.sla_clock import Clock, ClockState
from pmcockpit.core.wording import span


def clock_text(clock: Clock) -> str:
    """"3h left", "breached by 2h", "paused since 03-10 10:00", "met", "late by 1h"."""
    left = clock.left
    if clock.state is ClockState.NO_SLA or left is None:
        return _("no SLA")
    if clock.paused_since is not None:
        since = to_local(clock.paused_since).strftime("%m-%d %H:%M")
        if left < timedelta():
            return _("paused since {since}, breached by {span}").format(since=since,
                                                                         span=span(left))
        return _("paused since {since}, {span} left").format(since=since, span=span(left))
    if clock.stopped:
        if left < timedelta():
            return _("late by {span}").format(span=span(left))
        return _("met")
    if left < timedelta():
        return _("breached by {span}").format(span=span(left))
    return _("{span} left").format(span=span(left))


def clock_json(clock: Clock) -> dict[str, object]:
    left = clock.left
    return {"state": clock.state.value, "text": clock_text(clock),
            "left_seconds": None if left is None else int(left.total_seconds()),
            "stopped": clock.stopped,
            "paused_since": clock.paused_since.isoformat() if clock.paused_since else None}
