"""The seeded organisation: deterministic, in proportion at every scale, roster on disk."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.sim.org import (
    ROSTER_HEADER,
    SUPPORT_PROJECT_KEY,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    Organisation,
    build_org,
    write_roster,
)
from tests.sim.conftest import NOW


@pytest.fixture(scope="module")
def org() -> Organisation:
    return build_org(seed=7, scale=150, now=NOW)


def test_same_seed_same_organisation(org: Organisation) -> None:
    assert build_org(seed=7, scale=150, now=NOW) == org
    other = build_org(seed=8, scale=150, now=NOW)
    assert [p.login for p in other.people] != [p.login for p in org.people]


def test_now_defaults_to_the_current_minute() -> None:
    org = build_org(scale=20)
    assert org.now.second == 0 and org.now.microsecond == 0 and org.now.tzinfo is not None


def test_dates_are_relative_to_now(org: Organisation) -> None:
    later = build_org(seed=7, scale=150, now=NOW.replace(year=2027))
    shift = later.now - org.now
    assert [p.created_at + shift for p in org.people] == [p.created_at for p in later.people]
    assert all(p.created_at <= NOW for p in org.people)
    assert all(p.last_login_at is None or p.created_at <= p.last_login_at <= NOW
               for p in org.people)


def test_people_proportions(org: Organisation) -> None:
    employees = org.employees
    assert len(employees) == 150
    left = [p for p in employees if p.has_left]
    assert 9 <= len(left) <= 15  # ~8%
    assert sum(p.account_status is AccountStatus.ACTIVE for p in left) > len(left) / 2
    current = [p for p in employees if not p.has_left]
    inactive = [p for p in current if p.inactive_since(NOW)]
    assert 11 <= len(inactive) <= 19  # ~10%
    never = [p for p in employees if p.last_login_at is None]
    assert 5 <= len(never) <= 10  # ~5%
    locked = [p for p in org.people if p.account_status is AccountStatus.LOCKED]
    assert 2 <= len(locked) <= 8
    assert any(p.account_status is AccountStatus.PENDING for p in never)


def test_admins_include_one_who_should_not_be(org: Organisation) -> None:
    admins = org.admins
    assert 4 <= len(admins) <= 6
    wrong = [p for p in admins if p.has_left or p.title == "Intern"]
    assert len(wrong) == 1


def test_service_accounts(org: Organisation) -> None:
    services = [p for p in org.people if p.kind is AccountKind.SERVICE]
    assert 3 <= len(services) <= 5
    assert {"ci-bot", "backup-svc", "jira-sync"} <= {p.login for p in services}
    assert all(p.employee_id is None for p in services)


def test_logins_and_emails_are_unique_and_names_mixed(org: Organisation) -> None:
    logins = [p.login for p in org.people]
    assert len(set(logins)) == len(logins)
    assert all(p.email == f"{p.login}@example.org" for p in org.people)
    assert any(p.last_name in ("Wang", "Li", "Zhang", "Chen") for p in org.people)
    assert any(p.last_name in ("Smith", "Miller", "Brown", "Schmidt") for p in org.people)


def test_everyone_is_on_redmine_and_some_on_several_tools(org: Organisation) -> None:
    assert all({"redmine", "zentao"} <= p.tools for p in org.people)
    assert any(p.tools == {"redmine", "zentao", "feishu", "jira", "gitlab"}
               for p in org.employees)
    assert all("feishu" in p.tools for p in org.employees)
    assert len(list(org.people_on("redmine"))) == len(org.people)


def test_groups_roles_projects(org: Organisation) -> None:
    departments = {d.name for d in org.departments}
    assert {"Engineering", "Product", "Operations", "Finance", "HR", "Sales", "PMO"} == departments
    assert {g.department for g in org.groups if g.department} == departments
    assert {"pmo", "release-managers", "support-desk"} <= {g.key for g in org.groups}
    assert [r.name for r in org.roles] == ["Manager", "Developer", "Reporter"]
    assert [r.is_admin_like for r in org.roles] == [True, False, False]
    statuses = Counter(p.status for p in org.projects)
    assert 11 <= len(org.projects) <= 14
    assert 2 <= statuses[ProjectStatus.CLOSED] <= 4
    assert 1 <= statuses[ProjectStatus.ARCHIVED] <= 2
    keys = [p.key for p in org.projects]
    assert any(p.parent_key for p in org.projects)
    assert all(keys.index(p.parent_key) < keys.index(p.key)
               for p in org.projects if p.parent_key)
    assert org.projects[0].name == "PM Tool Support"


def test_memberships_include_group_access(org: Organisation) -> None:
    group_keys = {g.key for g in org.groups}
    logins = {p.login for p in org.people}
    assert any(m.is_group for m in org.memberships)
    for membership in org.memberships:
        assert membership.principal in (group_keys if membership.is_group else logins)
        assert membership.roles
    left_with_access = {m.principal for m in org.memberships if not m.is_group} & {
        p.login for p in org.people if p.has_left}
    assert left_with_access  # what the access review should find


def test_support_tickets(org: Organisation) -> None:
    tickets = org.tickets
    assert 50 <= len(tickets) <= 70
    assert [t.number for t in tickets] == list(range(1, len(tickets) + 1))
    assert all(t.project_key == SUPPORT_PROJECT_KEY for t in tickets)
    assert set(Counter(t.priority for t in tickets)) == set(TICKET_PRIORITIES)
    assert set(Counter(t.status for t in tickets)) == set(TICKET_STATUSES)
    admins = {p.login for p in org.admins}
    assert all(t.assignee_login in admins for t in tickets if t.assignee_login)
    ages = [(NOW - t.created_at).total_seconds() / 3600 for t in tickets]
    assert min(ages) < 48 and max(ages) > 24 * 30
    assert any(t.comments for t in tickets)
    for ticket in tickets:
        times = [c.created_at for c in ticket.comments]
        assert times == sorted(times) and all(ticket.created_at <= t <= NOW for t in times)
        assert (ticket.closed_at is not None) == (ticket.status == "Closed")
    subjects = {t.subject for t in tickets}
    assert "Cannot log in after password reset" in subjects or any(
        s.startswith("Need access to project") for s in subjects)


def test_scale_below_ten_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        build_org(scale=5)


def test_roster_round_trip(org: Organisation, tmp_path: Path) -> None:
    path = write_roster(org, tmp_path / "roster.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ROSTER_HEADER
        rows = list(reader)
    assert len(rows) == len(org.employees)
    by_login = {row["login"]: row for row in rows}
    for person in org.employees:
        row = by_login[person.login]
        assert row["employee_id"] == person.employee_id
        assert (row["name"], row["email"]) == (person.name, person.email)
        assert (row["department"], row["team"]) == (person.department, person.team)
        assert row["status"] == ("left" if person.has_left else "employed")
        assert row["left_on"] == (person.left_on.isoformat() if person.left_on else "")
    assert "ci-bot" not in by_login
