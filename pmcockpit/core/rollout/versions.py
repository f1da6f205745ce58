"""Tool versions: parsing, drift from the plan, and GitLab's required upgrade stops.

GitLab must be upgraded through its required stops, each one's background
migrations finished before the next. The stops are data, checked against
GitLab's documentation "Plan your upgrade path" (doc/update/upgrade_paths.md,
:data:`GITLAB_STOPS_SOURCE`): each with the patch release the page names and,
for the stops it says are required only for some instances, that condition.
From 17.5 on "required upgrade stops occur at versions x.2.z, x.5.z, x.8.z and
x.11.z" (the GitLab 18 section says the same of 18.2, 18.5, 18.8 and 18.11),
which :func:`gitlab_required_stops` applies to majors past the list. Upgrade to
the latest patch of each stop ("x.y.z" below), at least the one named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise

from pmcockpit.core.i18n import N_, _

GITLAB_STOPS_SOURCE = "https://docs.gitlab.com/update/upgrade_paths/"
_MULTI_WEB = N_("only for instances with multiple web nodes")
_USERS_OR_VARIABLES = N_("only for instances with lots of users or a large pipeline "
                         "variables history")
_NPM = N_("only for instances with NPM packages in their package registry")
_VARIABLES = N_("only for instances with a large pipeline variables history")
_PIPELINE_MESSAGES = N_("only for instances with large ci_pipeline_messages tables")


@dataclass(frozen=True, slots=True)
class GitLabStop:
    """A required upgrade stop: its series, the patch release the documentation names
    (0 where it names none) and, for a stop only some instances need, the condition."""

    major: int
    minor: int
    patch: int = 0
    condition: str | None = None

    @property
    def series(self) -> tuple[int, int]:
        return self.major, self.minor


GITLAB_REQUIRED_STOPS: tuple[GitLabStop, ...] = (
    GitLabStop(15, 0, 5), GitLabStop(15, 1, 6, _MULTI_WEB), GitLabStop(15, 4, 6),
    GitLabStop(15, 11, 13),
    GitLabStop(16, 0, 10, _USERS_OR_VARIABLES), GitLabStop(16, 1, 8, _NPM),
    GitLabStop(16, 2, 11, _VARIABLES), GitLabStop(16, 3, 9), GitLabStop(16, 7, 10),
    GitLabStop(16, 11, 10),
    GitLabStop(17, 1, 8, _PIPELINE_MESSAGES), GitLabStop(17, 3, 7), GitLabStop(17, 5, 5),
    GitLabStop(17, 8, 7), GitLabStop(17, 11, 7),
    GitLabStop(18, 2), GitLabStop(18, 5), GitLabStop(18, 8), GitLabStop(18, 11),
)
"""Every documented required stop, oldest first."""
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


def gitlab_required_stops(up_to_major: int) -> list[GitLabStop]:
    """The documented stops, then the scheduled ones of each later major."""
    stops = list(GITLAB_REQUIRED_STOPS)
    last_major = stops[-1].major
    for major in range(last_major + 1, up_to_major + 1):
        stops += [GitLabStop(major, minor) for minor in SCHEDULED_MINORS]
    return stops


@dataclass(frozen=True, slots=True)
class UpgradeStep:
    series: tuple[int, int]
    required_stop: bool
    """False for the target itself when it is not a required stop."""
    at_least: int = 0
    """The lowest patch release of the series the documentation names; 0 for none."""
    condition: str | None = None
    """Untranslated: the instances that need this stop; None when every instance does."""

    def __str__(self) -> str:
        return f"{self.series[0]}.{self.series[1]}.z"

    def describe(self) -> str:
        """"16.11.z (≥ 16.11.10)", "17.1.z? (only for instances with ...)"."""
        text = str(self) + ("?" if self.condition else "")
        notes = [f"≥ {self.series[0]}.{self.series[1]}.{self.at_least}"] \
            if self.at_least else []
        if self.condition:
            notes.append(_(self.condition))
        return f"{text} ({'; '.join(notes)})" if notes else text


def gitlab_upgrade_path(current: Version, target: Version) -> list[UpgradeStep]:
    """Every series to upgrade to, in order, from ``current`` to ``target``: the current
    series' latest patch when it is a stop and ``current`` is below the patch the
    documentation names, the required stops after the current series and before the
    target, then the target. Empty when the target is not newer."""
    if target <= current:
        return []
    stops = {stop.series: stop for stop in gitlab_required_stops(target.major)}
    steps = []
    here = stops.get(current.series)
    if here is not None and current.patch < here.patch and target.series > current.series:
        steps.append(UpgradeStep(here.series, True, here.patch, here.condition))
    steps += [UpgradeStep(stop.series, True, stop.patch, stop.condition)
              for series, stop in stops.items() if current.series < series < target.series]
    last = stops.get(target.series)
    steps.append(UpgradeStep(target.series, last is not None,
                             last.patch if last else 0, last.condition if last else None))
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
