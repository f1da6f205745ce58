"""Feishu's admin data reports: ``GET /open-apis/admin/v1/admin_user_stats``.

Facts reproduced: ``start_date`` and ``end_date`` (``YYYY-MM-DD``) span at most 31
days, pages hold at most 60 rows, and a day's data exists only after 09:30 China time
the next day. The row fields beyond ``date``, ``user_id``, ``user_name`` and
``department_name`` (here ``last_active_time``, China time) are this sim's reading.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from pmcockpit.sim.dialects.feishu.contact import people
from pmcockpit.sim.dialects.feishu.core import INVALID_FIELD, Call, fail, paged, router
from pmcockpit.sim.http import SimResponse

CHINA = timezone(timedelta(hours=8))
MAX_DAYS = 31


def latest_day(now: datetime) -> date:
    """The newest day with data: yesterday after 09:30 China time, else the day before."""
    local = now.astimezone(CHINA)
    back = 1 if local.time() >= time(9, 30) else 2
    return local.date() - timedelta(days=back)


def _day(call: Call, name: str) -> date:
    try:
        return date.fromisoformat(call.arg(name) or "")
    except ValueError:
        raise fail(400, INVALID_FIELD, f"field validation failed: {name}") from None


@router.route("GET", "/admin/v1/admin_user_stats")
def user_stats(call: Call, _: dict[str, str]) -> SimResponse:
    start, end = _day(call, "start_date"), _day(call, "end_date")
    if end < start or (end - start).days + 1 > MAX_DAYS:
        raise fail(400, INVALID_FIELD, "the time interval cannot exceed 31 days")
    end = min(end, latest_day(call.state.clock()))
    rows = []
    day = start
    while day <= end:
        for user in people(call.state):
            if user.id in call.facts.resigned:
                continue
            seen = user.last_login_on
            seen = seen if seen is not None and seen.astimezone(CHINA).date() <= day else None
            rows.append({
                "date": day.isoformat(), "user_id": user.login, "user_name": user.name,
                "department_name": "", "department_path": "",
                "create_time": user.created_on.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                "user_active_flag": int(seen is not None and
                                        seen.astimezone(CHINA).date() == day),
                "register_state": 1,
                "last_active_time": seen.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
                if seen else "",
            })
        day += timedelta(days=1)
    return paged(call, rows, limit=60, default=10)
