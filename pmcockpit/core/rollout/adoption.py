"""Adoption measured: who is active in a rolling window, monthly cohorts, the trend.

"Active in the last 7 days" is a rolling window ending now, not a calendar week.
A person counts as active when their last sign-in (or last activity, where the
tool reports it) falls in the window. Cohorts group accounts by the month they
were created and give, for each later month, the share seen active that month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WINDOWS = (7, 30)
"""The rolling windows the tracker reports, in days."""
SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class AccountActivity:
    created_at: datetime | None
    last_active_at: datetime | None


@dataclass(frozen=True, slots=True)
class TeamFigures:
    team: str
    expected: int
    """People the roster (or the administrator) expects in the team."""
    accounts: int
    """Of those, people with an account in the tool."""
    active_7: int
    active_30: int

    def share(self, window: int = 30) -> float | None:
        """Active in the window per expected person; None when nobody is expected."""
        base = self.expected or self.accounts
        if not base:
            return None
        return (self.active_7 if window == 7 else self.active_30) / base


def active_within(accounts: Iterable[AccountActivity], now: datetime, days: int) -> int:
    """Accounts active in the ``days`` up to ``now`` (a rolling window)."""
    since = now - timedelta(days=days)
    return sum(1 for a in accounts if a.last_active_at is not None
               and since < a.last_active_at <= now)


def team_figures(team: str, expected: int | None, accounts: Sequence[AccountActivity],
                 now: datetime) -> TeamFigures:
    """One team's figures; ``expected`` None takes the accounts found as the team."""
    return TeamFigures(team, len(accounts) if expected is None else expected, len(accounts),
                       active_within(accounts, now, 7), active_within(accounts, now, 30))


def total(figures: Iterable[TeamFigures], name: str) -> TeamFigures:
    rows = list(figures)
    return TeamFigures(name, sum(f.expected for f in rows), sum(f.accounts for f in rows),
                       sum(f.active_7 for f in rows), sum(f.active_30 for f in rows))


def month_of(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from ``first`` to ``last``, both included."""
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True, slots=True)
class Cohort:
    month: str
    """The month the accounts were created."""
    size: int
    shares: tuple[float, ...]
    """Share of the cohort active in its month, the month after, ... up to now."""


def monthly_cohorts(created: Mapping[str, str], active_months: Mapping[str, set[str]],
                    now: datetime) -> list[Cohort]:
    """Cohorts from each account's creation month (``created``: account -> "YYYY-MM")
    and the months it was seen active (``active_months``: account -> months)."""
    by_month: dict[str, list[str]] = {}
    for account, month in created.items():
        by_month.setdefault(month, []).append(account)
    current = month_of(now)
    cohorts = []
    for month in sorted(by_month):
        members = by_month[month]
        shares = tuple(
            sum(1 for account in members if later in active_months.get(account, set()))
            / len(members)
            for later in months_between(month, current))
        cohorts.append(Cohort(month, len(members), shares))
    return cohorts


def sparkline(values: Sequence[float | None], width: int = 12) -> str:
    """The last ``width`` values as block characters scaled 0..1; a gap for None."""
    shown = list(values)[-width:]
    return "".join(" " if value is None else
                   SPARK[min(len(SPARK) - 1, max(0, round(value * (len(SPARK) - 1))))]
                   for value in shown)


def trend(values: Sequence[float | None]) -> float | None:
    """The change from the first known value to the last (in share points), or None."""
    known = [value for value in values if value is not None]
    if len(known) < 2:
        return None
    return known[-1] - known[0]
