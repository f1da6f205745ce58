"""Review rules for accounts, in the administrator's words."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pmcockpit.core.risk import Rule, Severity, assess_account, worst

NOW = datetime(2025, 3, 10, 9, 0)


def rules(**facts: Any) -> list[Rule]:
    return [finding.rule for finding in assess(**facts)]


def assess(**facts: Any) -> list[Any]:
    base: dict[str, Any] = {
        "status": "active", "is_admin": False, "kind": "person",
        "last_login_at": NOW - timedelta(days=1), "created_at": NOW - timedelta(days=300),
        "now": NOW, "inactive_days": 90,
    }
    return assess_account(**(base | facts))


def test_a_person_who_logs_in_and_has_no_special_rights_is_fine() -> None:
    assert rules() == []


def test_no_login_for_longer_than_the_limit_is_inactive() -> None:
    findings = assess(last_login_at=NOW - timedelta(days=120))
    assert [f.rule for f in findings] == [Rule.INACTIVE]
    assert findings[0].severity == Severity.MEDIUM
    assert "120 days" in findings[0].message and "limit 90" in findings[0].message


def test_the_limit_is_configurable() -> None:
    assert rules(last_login_at=NOW - timedelta(days=4), inactive_days=3) == [Rule.INACTIVE]
    assert rules(last_login_at=NOW - timedelta(days=2), inactive_days=3) == []


def test_inactive_administrator_is_high_and_also_up_for_review() -> None:
    findings = assess(is_admin=True, last_login_at=NOW - timedelta(days=200))
    assert [f.rule for f in findings] == [Rule.INACTIVE_ADMIN, Rule.ADMIN_REVIEW]
    assert worst(findings) == Severity.HIGH


def test_never_logged_in_after_the_grace_period() -> None:
    assert rules(last_login_at=None, created_at=NOW - timedelta(days=40)) == [
        Rule.NEVER_LOGGED_IN
    ]
    assert rules(last_login_at=None, created_at=NOW - timedelta(days=3)) == []
    assert rules(last_login_at=None, created_at=None) == []


def test_tools_that_do_not_report_logins_are_not_judged_on_them() -> None:
    assert rules(last_login_at=None, last_login_known=False) == []


def test_pending_registration_left_unactivated_should_be_cleaned_up() -> None:
    findings = assess(status="pending", last_login_at=None, created_at=NOW - timedelta(days=30))
    assert [f.rule for f in findings] == [Rule.NOT_ACTIVATED]
    assert "never activated" in findings[0].message


def test_service_account_with_admin_rights_is_high_and_its_logins_do_not_matter() -> None:
    findings = assess(kind="service", is_admin=True, last_login_at=None)
    assert [f.rule for f in findings] == [Rule.SERVICE_ADMIN]
    assert findings[0].severity == Severity.HIGH


def test_every_active_administrator_is_up_for_a_periodic_review() -> None:
    findings = assess(is_admin=True)
    assert [f.rule for f in findings] == [Rule.ADMIN_REVIEW]
    assert findings[0].severity == Severity.LOW


def test_administrator_without_two_factor() -> None:
    assert rules(is_admin=True, two_factor=False) == [Rule.ADMIN_WITHOUT_2FA, Rule.ADMIN_REVIEW]
    assert rules(is_admin=True, two_factor=None) == [Rule.ADMIN_REVIEW]


def test_person_who_left_but_is_still_active_is_high() -> None:
    findings = assess(left_on=date(2025, 2, 28))
    assert [f.rule for f in findings] == [Rule.DEPARTED_ACTIVE]
    assert "2025-02-28" in findings[0].message
    assert rules(left_on=date(2025, 4, 1)) == []


def test_deactivated_account_of_a_leaver_can_come_back_at_next_sign_in() -> None:
    assert rules(status="deactivated", left_on=date(2025, 1, 1)) == [Rule.DEPARTED_DEACTIVATED]


def test_locked_accounts_are_done_with() -> None:
    assert rules(status="locked", is_admin=True, last_login_at=None,
                 left_on=date(2025, 1, 1)) == []


def test_findings_come_most_severe_first() -> None:
    findings = assess(is_admin=True, two_factor=False, last_login_at=NOW - timedelta(days=200),
                      left_on=date(2025, 1, 1))
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, reverse=True)
    assert findings[-1].rule == Rule.ADMIN_REVIEW
