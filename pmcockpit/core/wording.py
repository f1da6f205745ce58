"""Short wordings of times, counts and states, shared by the screens and the command line."""

from __future__ import annotations

from datetime import datetime, timedelta

from pmcockpit.core.checklist import CheckStatus, DueState, OnTimeRate, StepState, Timeliness
from pmcockpit.core.i18n import N_, _, ngettext


def span(delta: timedelta) -> str:
    """A duration as a person says it at a glance: 45m, 5h, 3d."""
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return _("<1m")
    if seconds < 3600:
        minutes = int(seconds // 60)
        # Translators: minutes, abbreviated as short as the language allows ("45m").
        return ngettext("{count}m", "{count}m", minutes).format(count=minutes)
    if seconds < 48 * 3600:
        hours = int(seconds // 3600)
        # Translators: hours, abbreviated ("5h").
        return ngettext("{count}h", "{count}h", hours).format(count=hours)
    days = int(seconds // 86400)
    # Translators: days, abbreviated ("3d").
    return ngettext("{count}d", "{count}d", days).format(count=days)


def ago(then: datetime, now: datetime) -> str:
    # Translators: {span} is a short duration such as "3d" or "5h".
    return _("{span} ago").format(span=span(now - then))


# Marked with N_, translated by the functions below: the tables are built at import,
# before a language may have been chosen.
_STEP_STATE_WORDS = {
    StepState.PENDING: N_("pending"),
    StepState.DONE: N_("done"),
    StepState.PASSED: N_("passed"),
    StepState.WARNED: N_("warned"),
    StepState.FAILED: N_("failed"),
    StepState.SKIPPED: N_("skipped"),
}

_CHECK_STATUS_WORDS = {
    CheckStatus.PASS: N_("pass"),
    CheckStatus.WARN: N_("warn"),
    CheckStatus.FAIL: N_("fail"),
    CheckStatus.ERROR: N_("error"),
}

_DUE_STATE_WORDS = {
    DueState.UPCOMING: N_("upcoming"),
    DueState.DUE: N_("due"),
    DueState.OVERDUE: N_("overdue"),
    DueState.DONE: N_("done"),
    DueState.MISSED: N_("missed"),
}

_TIMELINESS_WORDS = {
    Timeliness.ON_TIME: N_("on-time"),
    Timeliness.LATE: N_("late"),
    Timeliness.MISSED: N_("missed"),
    Timeliness.OPEN: N_("open"),
}


def step_state_word(state: StepState) -> str:
    """A checklist step's state as one word ("failed"), for the sentences that name it."""
    return _(_STEP_STATE_WORDS[state])


def check_status_word(status: CheckStatus) -> str:
    """A check's verdict as one word ("pass")."""
    return _(_CHECK_STATUS_WORDS[status])


def due_state_word(state: DueState) -> str:
    """A checklist period's state as one word ("upcoming")."""
    return _(_DUE_STATE_WORDS[state])


def timeliness_word(timeliness: Timeliness) -> str:
    """How a past period was kept, as one word ("on-time")."""
    return _(_TIMELINESS_WORDS[timeliness])


def on_time_rate(rate: OnTimeRate) -> str:
    """"80% on time (4 of 5)", or that no period has finished yet."""
    if rate.rate is None:
        return _("no finished periods yet")
    return ngettext("{percent} on time ({on_time} of {counted})",
                    "{percent} on time ({on_time} of {counted})", rate.counted).format(
        percent=f"{rate.rate:.0%}", on_time=rate.on_time, counted=rate.counted)
