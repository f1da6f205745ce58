"""The words of a rollout: its kind, a wave's status, health, change-request decisions.

Values are stored as the enum's value; labels are translated where they are shown.
"""

from __future__ import annotations

from enum import StrEnum

from pmcockpit.core.i18n import _


class RolloutKind(StrEnum):
    ADOPTION = "adoption"
    """Bringing a tool to the organisation: pilot, standardise, waves, optimise."""
    UPGRADE = "upgrade"
    """A version upgrade of a connected tool: plan, test, roll out, verify."""
    TEMPLATE = "template"
    """A new template or process change."""
    INTEGRATION = "integration"
    """A new integration between tools."""


class WaveStatus(StrEnum):
    NOT_STARTED = "not-started"
    TRAINED = "trained"
    LIVE = "live"
    STRUGGLING = "struggling"


class Health(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    LATE = "late"
    DONE = "done"


class Decision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DEFERRED = "deferred"
    REJECTED = "rejected"


class Level(StrEnum):
    """A change request's impact or priority, a risk's impact."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def kind_label(kind: RolloutKind) -> str:
    return {
        RolloutKind.ADOPTION: _("tool adoption"),
        RolloutKind.UPGRADE: _("version upgrade"),
        RolloutKind.TEMPLATE: _("template or process change"),
        RolloutKind.INTEGRATION: _("integration"),
    }[kind]


def wave_label(status: WaveStatus) -> str:
    return {
        WaveStatus.NOT_STARTED: _("not started"),
        WaveStatus.TRAINED: _("trained"),
        WaveStatus.LIVE: _("live"),
        WaveStatus.STRUGGLING: _("struggling"),
    }[status]


def health_label(health: Health) -> str:
    return {
        Health.ON_TRACK: _("on track"),
        Health.AT_RISK: _("at risk"),
        Health.LATE: _("late"),
        Health.DONE: _("done"),
    }[health]


def decision_label(decision: Decision) -> str:
    return {
        Decision.PENDING: _("pending"),
        Decision.ACCEPTED: _("accepted"),
        Decision.DEFERRED: _("deferred"),
        Decision.REJECTED: _("rejected"),
    }[decision]


def level_label(level: Level) -> str:
    return {Level.LOW: _("low"), Level.MEDIUM: _("medium"), Level.HIGH: _("high")}[level]
