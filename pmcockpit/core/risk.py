"""Review rules for accounts: which ones the administrator should look at, and why.

Pure functions over an account's facts, so the permission review, the home
view and scripts agree. They cover what goes wrong when nobody tends the tools:
access outliving people who left, accounts nobody uses any more, accounts that
were never activated, and administrator rights nobody re-checks.
All datetimes are naive UTC, like the database.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pmcockpit.core.i18n import N_, _, ngettext
from pmcockpit.core.records import AccountKind, AccountStatus

NEW_ACCOUNT_GRACE = timedelta(days=14)
"""A new account may stay unused (or unactivated) this long before it is flagged."""


class Severity(enum.IntEnum):
    LOW = 1
    """Worth a periodic look."""
    MEDIUM = 2
    """Clean up soon."""
    HIGH = 3
    """Access that should not exist: act today."""
    CRITICAL = 4
    """Someone who left can still get in: act now."""

    @property
    def label(self) -> str:
        """The severity as the screens say it, translated."""
        return _(_SEVERITY_WORDS[self])


_SEVERITY_WORDS = {Severity.LOW: N_("low"), Severity.MEDIUM: N_("medium"),
                   Severity.HIGH: N_("high"), Severity.CRITICAL: N_("critical")}


class Rule(enum.StrEnum):
    DEPARTED_ACTIVE = "departed-active"
    DEPARTED_DEACTIVATED = "departed-deactivated"
    SERVICE_ADMIN = "service-admin"
    ADMIN_WITHOUT_2FA = "admin-without-2fa"
    INACTIVE_ADMIN = "inactive-admin"
    INACTIVE = "inactive"
    NEVER_LOGGED_IN = "never-logged-in"
    NOT_ACTIVATED = "not-activated"
    ADMIN_REVIEW = "admin-review"
    ADMIN_GRANTED = "admin-granted"
    NO_ROSTER_MATCH = "no-roster-match"


RULE_SEVERITY: dict[Rule, Severity] = {
    Rule.DEPARTED_ACTIVE: Severity.CRITICAL,
    Rule.DEPARTED_DEACTIVATED: Severity.MEDIUM,
    Rule.SERVICE_ADMIN: Severity.HIGH,
    Rule.ADMIN_WITHOUT_2FA: Severity.HIGH,
    Rule.INACTIVE_ADMIN: Severity.HIGH,
    Rule.INACTIVE: Severity.MEDIUM,
    Rule.NEVER_LOGGED_IN: Severity.MEDIUM,
    Rule.NOT_ACTIVATED: Severity.LOW,
    Rule.ADMIN_REVIEW: Severity.LOW,
    Rule.ADMIN_GRANTED: Severity.HIGH,
    Rule.NO_ROSTER_MATCH: Severity.MEDIUM,
}

RULE_LABELS: dict[Rule, str] = {
    Rule.DEPARTED_ACTIVE: N_("left but active"),
    Rule.DEPARTED_DEACTIVATED: N_("left, can return"),
    Rule.SERVICE_ADMIN: N_("service admin"),
    Rule.ADMIN_WITHOUT_2FA: N_("admin without 2FA"),
    Rule.INACTIVE_ADMIN: N_("inactive admin"),
    Rule.INACTIVE: N_("inactive"),
    Rule.NEVER_LOGGED_IN: N_("never logged in"),
    Rule.NOT_ACTIVATED: N_("not activated"),
    Rule.ADMIN_REVIEW: N_("admin to confirm"),
    Rule.ADMIN_GRANTED: N_("new admin"),
    Rule.NO_ROSTER_MATCH: N_("not on roster"),
}
"""Short names for counts and table columns, marked for translation: show ``_(label)``."""


@dataclass(frozen=True, slots=True)
class RiskFinding:
    rule: Rule
    severity: Severity
    message: str


def _finding(rule: Rule, message: str) -> RiskFinding:
    return RiskFinding(rule, RULE_SEVERITY[rule], message)


def inactive_before(now: datetime, inactive_days: int) -> datetime:
    """Last login before this: the account counts as inactive."""
    return now - timedelta(days=inactive_days)


def unused_before(now: datetime, grace_days: int = NEW_ACCOUNT_GRACE.days) -> datetime:
    """Created before this and still unused or unactivated: flagged."""
    return now - timedelta(days=grace_days)


def _days(delta: timedelta) -> str:
    days = delta.days
    return ngettext("{count} day", "{count} days", days).format(count=days)


@dataclass(frozen=True, slots=True)
class _Facts:
    """One account's facts, as :func:`assess_account` takes them."""

    status: str
    is_admin: bool
    kind: str
    last_login_at: datetime | None
    created_at: datetime | None
    now: datetime
    inactive_days: int
    left_on: date | None
    two_factor: bool | None
    last_login_known: bool
    grace_days: int

    @property
    def active(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    @property
    def person(self) -> bool:
        return self.kind != AccountKind.SERVICE

    def unused_for(self) -> timedelta | None:
        """How old the account is, once past the grace period for new accounts."""
        created_at = self.created_at
        if created_at is None or created_at >= unused_before(self.now, self.grace_days):
            return None
        return self.now - created_at


def assess_account(
    *,
    status: str,
    is_admin: bool,
    kind: str,
    last_login_at: datetime | None,
    created_at: datetime | None,
    now: datetime,
    inactive_days: int,
    left_on: date | None = None,
    two_factor: bool | None = None,
    last_login_known: bool = True,
    grace_days: int = NEW_ACCOUNT_GRACE.days,
) -> list[RiskFinding]:
    """Every review rule the account breaks, most severe first.

    ``left_on`` comes from an HR roster (the person's last day). Service accounts
    work through tokens, so their logins say nothing and are not judged.
    ``last_login_known=False`` (a tool that does not report logins) skips the login rules.
    ``grace_days``: how long a new account may stay unused before it is flagged.
    """
    facts = _Facts(status, is_admin, kind, last_login_at, created_at, now, inactive_days,
                   left_on, two_factor, last_login_known, grace_days)
    findings = [finding for check in _CHECKS for finding in check(facts)]
    findings.sort(key=lambda finding: finding.severity, reverse=True)
    return findings


def _departure(facts: _Facts) -> list[RiskFinding]:
    left_on = facts.left_on
    if left_on is None or left_on > facts.now.date():
        return []
    if facts.active or facts.status == AccountStatus.PENDING:
        return [_finding(
            Rule.DEPARTED_ACTIVE,
            _("Left on {day} but the account is still open: lock it.").format(
                day=left_on.isoformat()),
        )]
    if facts.status == AccountStatus.DEACTIVATED:
        return [_finding(
            Rule.DEPARTED_DEACTIVATED,
            _("Left on {day}; a deactivated account comes back at the next sign-in: "
              "lock it.").format(day=left_on.isoformat()),
        )]
    return []


def _admin_rights(facts: _Facts) -> list[RiskFinding]:
    findings: list[RiskFinding] = []
    if not (facts.active and facts.is_admin):
        return findings
    if not facts.person:
        findings.append(_finding(
            Rule.SERVICE_ADMIN,
            _("Service account with administrator rights: give it only what its "
              "integration needs."),
        ))
    if facts.two_factor is False:
        findings.append(_finding(
            Rule.ADMIN_WITHOUT_2FA,
            _("Administrator without two-factor authentication: require it."),
        ))
    if facts.person:
        findings.append(_finding(
            Rule.ADMIN_REVIEW,
            _("Administrator: confirm this person still needs administrator rights."),
        ))
    return findings


def _logins(facts: _Facts) -> list[RiskFinding]:
    if not (facts.active and facts.person and facts.last_login_known):
        return []
    now, last_login_at = facts.now, facts.last_login_at
    if last_login_at is None:
        age = facts.unused_for()
        return [] if age is None else [_finding(
            Rule.NEVER_LOGGED_IN,
            _("Never logged in since it was created {age} ago: clean it up.").format(
                age=_days(age)),
        )]
    if last_login_at >= inactive_before(now, facts.inactive_days):
        return []
    idle = _days(now - last_login_at)
    if facts.is_admin:
        return [_finding(
            Rule.INACTIVE_ADMIN,
            _("Administrator with no login for {idle}: remove the rights or lock it.").format(
                idle=idle),
        )]
    return [_finding(
        Rule.INACTIVE,
        _("No login for {idle} (limit {limit}): lock it or confirm it is still needed.").format(
            idle=idle, limit=facts.inactive_days),
    )]


def _activation(facts: _Facts) -> list[RiskFinding]:
    age = facts.unused_for()
    if facts.status != AccountStatus.PENDING or age is None:
        return []
    return [_finding(
        Rule.NOT_ACTIVATED,
        _("Registered {age} ago and never activated: remove it.").format(age=_days(age)),
    )]


_CHECKS: tuple[Callable[[_Facts], list[RiskFinding]], ...] = (
    _departure, _admin_rights, _logins, _activation,
)


def worst(findings: list[RiskFinding] | tuple[RiskFinding, ...]) -> Severity | None:
    return max((finding.severity for finding in findings), default=None)
