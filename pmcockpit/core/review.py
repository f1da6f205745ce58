"""The permission review as values: who an account belongs to, what is wrong with it,
what changed since the last review, and which remote calls a decision becomes.

Pure: the service reads the inventory and the roster, these functions judge them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import N_, _
from pmcockpit.core.records import AccountKind
from pmcockpit.core.risk import RULE_SEVERITY, RiskFinding, Rule, assess_account
from pmcockpit.core.roster import StaffEntry

EXPORT_FORMATS = ("csv", "md", "json")
"""How a review's evidence can be written (``pmcockpit review export --format``)."""


class Decision(enum.StrEnum):
    KEEP = "keep"
    REVOKE = "revoke"
    DOWNGRADE = "downgrade"


DECISION_LABELS = {Decision.KEEP: N_("keep"), Decision.REVOKE: N_("revoke"),
                   Decision.DOWNGRADE: N_("downgrade")}


@dataclass(frozen=True, slots=True)
class Thresholds:
    inactive_days: int = 90
    never_logged_in_days: int = 14


@dataclass(frozen=True, slots=True)
class Exemption:
    owner: str
    reason: str
    expires_on: date | None

    def valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """One account as sync saw it, with its access."""

    connection: str
    remote_id: str
    login: str
    name: str
    email: str | None
    status: str
    is_admin: bool
    kind: str
    two_factor: bool | None
    created_at: datetime | None
    last_login_at: datetime | None
    last_login_known: bool = True
    groups: tuple[tuple[str, str], ...] = ()
    """(group id, group name)."""
    memberships: tuple[Membership, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return self.connection, self.login


@dataclass(frozen=True, slots=True)
class Membership:
    remote_id: str
    project: str
    roles: tuple[str, ...]
    inherited: tuple[str, ...] = field(default=())
    """Roles that come through a group (removing the membership leaves them)."""


@dataclass(frozen=True, slots=True)
class Judged:
    facts: AccountFacts
    person: str
    staff: StaffEntry | None
    findings: tuple[RiskFinding, ...]
    exempt: Exemption | None

    @property
    def severity(self) -> int:
        return max((int(f.severity) for f in self.findings), default=0)


class Roster:
    """The latest roster, looked up by e-mail (case-insensitive) and by login."""

    def __init__(self, entries: Iterable[StaffEntry]) -> None:
        self.entries = list(entries)
        self.by_email = {e.email.lower(): e for e in self.entries if e.email}
        self.by_login = {e.login.lower(): e for e in self.entries if e.login}

    def __bool__(self) -> bool:
        return bool(self.entries)

    def find(self, text: str) -> StaffEntry | None:
        """A roster entry by e-mail, login or exact name."""
        lowered = text.strip().lower()
        found = self.by_email.get(lowered) or self.by_login.get(lowered)
        return found or next((e for e in self.entries if e.name.strip().lower() == lowered),
                             None)


def place(facts: AccountFacts, roster: Roster, links: Mapping[tuple[str, str], str]
          ) -> tuple[str, StaffEntry | None]:
    """(person key, roster entry): the explicit link, the e-mail, then the roster login."""
    linked = links.get(facts.key)
    if linked:
        return linked, roster.by_email.get(linked)
    email = (facts.email or "").strip().lower()
    if email and email in roster.by_email:
        return email, roster.by_email[email]
    staff = roster.by_login.get(facts.login.lower())
    if staff is not None:
        return staff.email or f"login:{staff.login}", staff
    return email or f"{facts.connection}:{facts.login}", None


def _unknown() -> RiskFinding:
    return RiskFinding(Rule.NO_ROSTER_MATCH, RULE_SEVERITY[Rule.NO_ROSTER_MATCH],
                       _("Matches nobody on the HR roster: an external or unknown account; "
                         "link it to a person or revoke it."))


def _extra(facts: AccountFacts, staff: StaffEntry | None, roster: Roster,
           was_admin: bool | None) -> list[RiskFinding]:
    found = []
    person = facts.kind != AccountKind.SERVICE
    if roster and staff is None and person:
        found.append(_unknown())
    if facts.is_admin and was_admin is False:
        found.append(RiskFinding(Rule.ADMIN_GRANTED, RULE_SEVERITY[Rule.ADMIN_GRANTED],
                                 _("Administrator rights granted since the last review: "
                                   "confirm who asked for them.")))
    return found


ROSTER_RULES = frozenset({Rule.DEPARTED_ACTIVE, Rule.DEPARTED_DEACTIVATED, Rule.NO_ROSTER_MATCH})
"""The rules the roster alone decides: judged again when an account is linked to a person."""


def roster_findings(staff: StaffEntry | None, *, status: str, now: datetime
                    ) -> list[RiskFinding]:
    """What the roster says of a (person's) account placed with ``staff``."""
    if staff is None:
        return [_unknown()]
    found = assess_account(status=status, is_admin=False, kind="person", last_login_at=None,
                           created_at=None, now=now, inactive_days=0,
                           left_on=staff.left_on if staff.has_left else None,
                           last_login_known=False)
    return [f for f in found if f.rule in ROSTER_RULES]


def judge(facts: AccountFacts, *, roster: Roster, links: Mapping[tuple[str, str], str],
          exemptions: Mapping[tuple[str, str], Exemption],
          previous_admin: Mapping[tuple[str, str], bool], now: datetime,
          thresholds: Thresholds) -> Judged:
    """Every finding for one account. ``previous_admin``: the last signed-off review's
    admin flag per account (empty when there was none); an exempt account keeps its
    findings for the record, shown as exempt."""
    person, staff = place(facts, roster, links)
    findings = assess_account(
        status=facts.status, is_admin=facts.is_admin, kind=facts.kind,
        last_login_at=facts.last_login_at, created_at=facts.created_at, now=now,
        inactive_days=thresholds.inactive_days,
        left_on=staff.left_on if staff is not None and staff.has_left else None,
        two_factor=facts.two_factor, last_login_known=facts.last_login_known,
        grace_days=thresholds.never_logged_in_days)
    was_admin = previous_admin.get(facts.key) if previous_admin else None
    if previous_admin and facts.key not in previous_admin:
        was_admin = False  # a new account that arrives as administrator
    findings += _extra(facts, staff, roster, was_admin)
    findings.sort(key=lambda f: f.severity, reverse=True)
    exemption = exemptions.get(facts.key)
    if exemption is not None and not exemption.valid_on(now.date()):
        exemption = None
    return Judged(facts, person, staff, tuple(findings), exemption)


# --- drift -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drift:
    new_accounts: tuple[tuple[str, str], ...]
    removed_accounts: tuple[tuple[str, str], ...]
    new_admins: tuple[tuple[str, str], ...]
    access_added: tuple[tuple[str, str, str], ...]
    """(connection, login, what): a project or group the account did not have."""
    access_removed: tuple[tuple[str, str, str], ...]

    @property
    def empty(self) -> bool:
        return not (self.new_accounts or self.removed_accounts or self.new_admins
                    or self.access_added or self.access_removed)

    def to_json(self) -> dict[str, list[list[str]]]:
        return {name: [list(entry) for entry in getattr(self, name)] for name in _DRIFT_PARTS}

    @classmethod
    def from_json(cls, data: Mapping[str, Sequence[Sequence[str]]]) -> Drift:
        parts = {name: tuple(tuple(str(v) for v in entry) for entry in data.get(name, ()))
                 for name in _DRIFT_PARTS}
        return cls(**parts)  # type: ignore[arg-type]


_DRIFT_PARTS = ("new_accounts", "removed_accounts", "new_admins", "access_added",
                "access_removed")


AccessMap = Mapping[tuple[str, str], tuple[bool, frozenset[str]]]
"""(connection, login) -> (is admin, the projects and groups it reaches)."""


def drift(before: AccessMap, now: AccessMap) -> Drift:
    """What changed between two snapshots."""
    added = sorted(set(now) - set(before))
    removed = sorted(set(before) - set(now))
    common = sorted(set(now) & set(before))
    admins = [key for key in added if now[key][0]]
    admins += [key for key in common if now[key][0] and not before[key][0]]
    gained = [(*key, what) for key in common for what in sorted(now[key][1] - before[key][1])]
    lost = [(*key, what) for key in common for what in sorted(before[key][1] - now[key][1])]
    return Drift(tuple(added), tuple(removed), tuple(sorted(admins)), tuple(gained),
                 tuple(lost))


# --- decisions become actions --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decided:
    connection: str
    remote_id: str
    login: str
    decision: Decision
    target: str | None
    """For a downgrade: ``admin``, ``membership:ID`` or ``group:ID``."""
    justification: str


class PlanError(ValueError):
    """A decision that cannot become a remote call; the message says why."""


def to_action(decided: Decided, revoke_kind: ActionKind) -> Action | None:
    """The remote call a decision needs; None for keep. ``revoke_kind``: lock or
    deactivate, whichever the tool has."""
    reason = decided.justification
    if decided.decision is Decision.KEEP:
        return None
    if decided.decision is Decision.REVOKE:
        return Action(revoke_kind, decided.connection, decided.remote_id, decided.login,
                      reason=reason)
    what, _sep, target_id = (decided.target or "").partition(":")
    if what == "admin":
        return Action(ActionKind.REMOVE_ADMIN, decided.connection, decided.remote_id,
                      decided.login, reason=reason)
    if what == "membership" and target_id:
        return Action(ActionKind.REMOVE_MEMBERSHIP, decided.connection, target_id,
                      _("{login} membership {id}").format(login=decided.login, id=target_id),
                      reason=reason)
    if what == "group" and target_id:
        return Action(ActionKind.REMOVE_GROUP_MEMBER, decided.connection, target_id,
                      _("{login} from group {id}").format(login=decided.login, id=target_id),
                      {"user_id": decided.remote_id}, reason)
    raise PlanError(_("{login} on {connection}: a downgrade names what to remove "
                      "(admin, membership:ID or group:ID)").format(
                          login=decided.login, connection=decided.connection))


def sweep_actions(accounts: Sequence[AccountFacts], revoke_kinds: Mapping[str, ActionKind],
                  reason: str) -> list[Action]:
    """A leaver's plan: every still-open account locked (or deactivated), by tool."""
    # A deactivated account comes back at its next sign-in: it is locked too.
    open_accounts = [a for a in accounts if a.status != "locked"]
    open_accounts.sort(key=lambda a: (a.connection, a.login))
    return [Action(revoke_kinds[a.connection], a.connection, a.remote_id, a.login,
                   reason=reason) for a in open_accounts if a.connection in revoke_kinds]
