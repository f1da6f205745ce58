"""Tool versions: parsing, drift from the plan, and GitLab's required upgrade stops.

GitLab must be upgraded through its required stops, each one's background
migrations finished before the next. The stops are data, from GitLab's
documentation "Upgrade paths" (:data:`GITLAB_STOPS_SOURCE`): 15.0, 15.1, 15.4,
15.11; 16.0, 16.1, 16.2, 16.3, 16.7, 16.11; 17.1, 17.3, 17.5, 17.8, 17.11; and
from 17.5 on "required upgrade stops occur at versions x.2.z, x.5.z, x.8.z and
x.11.z", which :func:`gitlab_required_stops` applies to majors past the list.
Upgrade to the latest patch of each stop ("x.y.z" below).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise

from pmcockpit.core.i18n import _

GITLAB_STOPS_SOURCE = "https://docs.gitlab.com/update/upgrade_paths/"
GITLAB_REQUIRED_STOPS: tuple[tuple[int, int], ...] = (
    (15, 0), (15, 1), (15, 4), (15, 11),
    (16, 0), (16, 1), (16, 2), (16, 3), (16, 7), (16, 11),
    (17, 1), (17, 3), (17, 5), (17, 8), (17, 11),
    (18, 2), (18, 5), (18, 8), (18, 11),
)
"""(major, minor) of every documented required stop, oldest first."""
SCHEDULED_MINORS = (2, 5, 8, 11)
"""The stops of every major after the documented list (GitLab's schedule since 17.5)."""
_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@dataclass(frozen=True, slots=True, order=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def series(self) -> tuple[int, int]:
        return self.major, self.minor


def parse_version(text: str | None) -> Version | None:
    """"17.5.1-ee" gives 17.5.1; None when no version number starts the text."""
    match = _VERSION.match(text or "")
    if match is None:
        return None
    major, minor, patch = (int(part) if part else 0 for part in match.groups())
    return Version(major, minor, patch)


def gitlab_required_stops(up_to_major: int) -> list[tuple[int, int]]:
    """The documented stops, then the scheduled ones of each later major."""
    stops = list(GITLAB_REQUIRED_STOPS)
    last_major = stops[-1][0]
    for major in range(last_major + 1, up_to_major + 1):
        stops += [(major, minor) for minor in SCHEDULED_MINORS]
    return stops


@dataclass(frozen=True, slots=True)
class UpgradeStep:
    series: tuple[int, int]
    required_stop: bool
    """False for the target itself when it is not a required stop."""

    def __str__(self) -> str:
        return f"{self.series[0]}.{self.series[1]}.z"


def gitlab_upgrade_path(current: Version, target: Version) -> list[UpgradeStep]:
    """Every series to upgrade to, in order, from ``current`` to ``target``: the required
    stops after the current series and before the target, then the target. Empty when
    the target is not newer."""
    if target <= current:
        return []
    steps = [UpgradeStep(stop, True) for stop in gitlab_required_stops(target.major)
             if current.series < stop < target.series]
    steps.append(UpgradeStep(target.series, target.series in gitlab_required_stops(
        target.major)))
    return steps


class Drift(StrEnum):
    NONE = "none"
    """The tool runs the version the plan starts from."""
    OFF_PLAN = "off-plan"
    """The tool runs neither the plan's current version nor its target."""
    REACHED = "reached"
    """The tool already runs the target version."""
    UNKNOWN = "unknown"
    """The tool does not say its version (Redmine) and nobody entered one."""


def version_drift(planned_current: str | None, observed: str | None,
                  target: str | None) -> Drift:
    """How the version the tool reports compares with the upgrade's plan."""
    seen = parse_version(observed)
    if seen is None:
        return Drift.UNKNOWN
    if target and seen == parse_version(target):
        return Drift.REACHED
    if planned_current and seen == parse_version(planned_current):
        return Drift.NONE
    return Drift.OFF_PLAN


def drift_label(drift: Drift) -> str:
    return {
        Drift.NONE: _("as planned"),
        Drift.OFF_PLAN: _("drift: the tool moved off the plan"),
        Drift.REACHED: _("target reached"),
        Drift.UNKNOWN: _("version unknown: enter it by hand"),
    }[drift]


@dataclass(frozen=True, slots=True)
class VersionMove:
    connection: str
    at: datetime
    before: str
    after: str


def version_moves(connection: str, history: Sequence[tuple[datetime, str]],
                  planned_targets: Sequence[str]) -> list[VersionMove]:
    """Where the reported version changed (``history`` oldest first) to a version no
    upgrade planned: a tool upgraded behind the plan's back, or by its vendor."""
    targets = {parse_version(target) for target in planned_targets}
    moves = []
    for (_at, before), (at, after) in pairwise(history):
        if parse_version(before) != parse_version(after) and parse_version(after) not in targets:
            moves.append(VersionMove(connection, at, before, after))
    return moves
