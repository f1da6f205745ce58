"""The review's own rules: each fires on the case it is for and stays quiet otherwise."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pmcockpit.core.actions import ActionKind
from pmcockpit.core.review import (
    AccountFacts,
    Decided,
    Decision,
    Exemption,
    Roster,
    Thresholds,
    drift,
    judge,
    place,
    sweep_actions,
    to_action,
)
from pmcockpit.core.risk import Rule, Severity
from pmcockpit.core.roster import StaffEntry, StaffStatus

NOW = datetime(2026, 6, 1, 9, 0)
ANN = StaffEntry("ann@x.org", "ann", "Ann", "Ops", StaffStatus.ACTIVE, None)
BOB = StaffEntry("bob@x.org", "bob", "Bob", "Dev", StaffStatus.LEFT, date(2026, 3, 20))
ROSTER = Roster([ANN, BOB])


def account(**changes: Any) -> AccountFacts:
    base: dict[str, Any] = dict(
        connection="rm", remote_id="7", login="ann", name="Ann", email="Ann@X.org",
        status="active", is_admin=False, kind="person", two_factor=None,
        created_at=NOW - timedelta(days=400), last_login_at=NOW - timedelta(days=1))
    return AccountFacts(**(base | changes))


def rules(facts: AccountFacts, **kw: Any) -> set[Rule]:
    args: dict[str, Any] = dict(roster=ROSTER, links={}, exemptions={}, previous_admin={},
                                now=NOW, thresholds=Thresholds())
    return {f.rule for f in judge(facts, **(args | kw)).findings}


def test_people_are_joined_by_email_case_insensitive_then_roster_login_then_link() -> None:
    assert place(account(), ROSTER, {}) == ("ann@x.org", ANN)
    assert place(account(email=None, login="bob"), ROSTER, {}) == ("bob@x.org", BOB)
    linked = place(account(email=None, login="a.n"), ROSTER, {("rm", "a.n"): "ann@x.org"})
    assert linked == ("ann@x.org", ANN)
    assert place(account(email=None, login="zz"), ROSTER, {}) == ("rm:zz", None)


def test_left_but_active_is_critical() -> None:
    judged = judge(account(email="bob@x.org", login="bob"), roster=ROSTER, links={},
                   exemptions={}, previous_admin={}, now=NOW, thresholds=Thresholds())
    assert judged.findings[0].rule is Rule.DEPARTED_ACTIVE
    assert judged.findings[0].severity is Severity.CRITICAL
    assert Rule.DEPARTED_ACTIVE not in rules(account())


def test_left_and_deactivated_can_return() -> None:
    assert Rule.DEPARTED_DEACTIVATED in rules(account(email="bob@x.org",
                                                      status="deactivated"))
    assert Rule.DEPARTED_DEACTIVATED not in rules(account(email="bob@x.org", status="locked"))


def test_no_login_for_longer_than_the_threshold() -> None:
    old = account(last_login_at=NOW - timedelta(days=100))
    assert Rule.INACTIVE in rules(old)
    assert Rule.INACTIVE not in rules(old, thresholds=Thresholds(inactive_days=120))


def test_never_logged_in_past_the_configured_grace() -> None:
    fresh = account(last_login_at=None, created_at=NOW - timedelta(days=10))
    assert Rule.NEVER_LOGGED_IN not in rules(fresh)
    assert Rule.NEVER_LOGGED_IN in rules(fresh, thresholds=Thresholds(never_logged_in_days=7))


def test_admins_are_listed_for_confirmation_and_without_2fa_flagged() -> None:
    assert {Rule.ADMIN_REVIEW, Rule.ADMIN_WITHOUT_2FA} <= rules(
        account(is_admin=True, two_factor=False))
    assert Rule.ADMIN_WITHOUT_2FA not in rules(account(is_admin=True, two_factor=True))
    assert Rule.ADMIN_REVIEW not in rules(account())


def test_admin_granted_since_the_last_review() -> None:
    admin = account(is_admin=True)
    assert Rule.ADMIN_GRANTED in rules(admin, previous_admin={("rm", "ann"): False})
    assert Rule.ADMIN_GRANTED in rules(admin, previous_admin={("rm", "other"): False})
    assert Rule.ADMIN_GRANTED not in rules(admin, previous_admin={("rm", "ann"): True})
    assert Rule.ADMIN_GRANTED not in rules(admin)  # no earlier review: nothing to compare


def test_no_roster_match_only_when_there_is_a_roster() -> None:
    stranger = account(email="x@elsewhere.com", login="x")
    assert Rule.NO_ROSTER_MATCH in rules(stranger)
    assert Rule.NO_ROSTER_MATCH not in rules(stranger, roster=Roster([]))
    assert Rule.NO_ROSTER_MATCH not in rules(account(email="x@y.z", login="ci", kind="service"))


def test_exemptions_hold_until_they_expire() -> None:
    bot = account(email=None, login="ci-bot", kind="service", is_admin=True)
    exemption = Exemption("ops", "deploys", date(2026, 12, 31))
    args: dict[str, Any] = dict(roster=ROSTER, links={}, previous_admin={}, now=NOW,
                                thresholds=Thresholds())
    judged = judge(bot, exemptions={("rm", "ci-bot"): exemption}, **args)
    assert judged.exempt == exemption and judged.findings
    expired = Exemption("ops", "deploys", date(2026, 1, 1))
    assert judge(bot, exemptions={("rm", "ci-bot"): expired}, **args).exempt is None


def test_drift_names_new_accounts_admins_and_access() -> None:
    before = {("rm", "ann"): (False, frozenset({"project A"})),
              ("rm", "gone"): (False, frozenset())}
    after = {("rm", "ann"): (True, frozenset({"project B"})),
             ("rm", "new"): (True, frozenset())}
    found = drift(before, after)
    assert found.new_accounts == (("rm", "new"),)
    assert found.removed_accounts == (("rm", "gone"),)
    assert found.new_admins == (("rm", "ann"), ("rm", "new"))
    assert found.access_added == (("rm", "ann", "project B"),)
    assert found.access_removed == (("rm", "ann", "project A"),)
    assert drift(before, before).empty


def test_decisions_become_actions() -> None:
    revoke = Decided("gl", "5", "ann", Decision.REVOKE, None, "left")
    action = to_action(revoke, ActionKind.LOCK_USER)
    assert action is not None and action.kind is ActionKind.LOCK_USER
    assert to_action(Decided("gl", "5", "ann", Decision.KEEP, None, "ok"),
                     ActionKind.LOCK_USER) is None
    group = to_action(Decided("gl", "5", "ann", Decision.DOWNGRADE, "group:9", "moved"),
                      ActionKind.LOCK_USER)
    assert group is not None and group.kind is ActionKind.REMOVE_GROUP_MEMBER
    assert group.target_id == "9" and group.params == {"user_id": "5"}


def test_a_sweep_locks_every_account_not_yet_locked() -> None:
    accounts = [account(connection="rm"), account(connection="gl", status="deactivated"),
                account(connection="jr", status="locked")]
    kinds = {"rm": ActionKind.LOCK_USER, "gl": ActionKind.LOCK_USER,
             "jr": ActionKind.DEACTIVATE_USER}
    assert [a.connection for a in sweep_actions(accounts, kinds, "left")] == ["gl", "rm"]
