"""GitLab parsers against the example payloads of GitLab's API reference (fixtures/gitlab)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from pmcockpit.connectors.gitlab_parse import (
    access_roles,
    last_seen,
    parse_account,
    parse_group,
    parse_memberships,
    parse_project,
    parse_ticket,
    parse_version,
    priority_of,
)
from pmcockpit.connectors.http_failures import tool_error_messages
from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus, RoleGrant
from tests.connectors.gitlab_fixtures import payload


def test_users_as_an_administrator_sees_them() -> None:
    john, jack = (parse_account(item) for item in payload("users_admin"))
    assert (john.remote_id, john.login, john.name, john.email) == (
        "1", "john_smith", "John Smith", "john@example.com")
    assert (john.status, john.is_admin, john.two_factor) == (AccountStatus.ACTIVE, False, True)
    assert john.created_at == datetime(2012, 5, 23, 8, 0, 58, tzinfo=UTC)
    # current_sign_in_at (the latest sign-in) is later than last_sign_in_at (the one before)
    assert john.last_login_at == datetime(2012, 6, 2, 6, 36, 55, tzinfo=UTC)
    assert jack.status is AccountStatus.LOCKED
    assert jack.last_login_at == datetime(2014, 3, 19, 17, 54, 13, tzinfo=UTC)
    assert john.kind is AccountKind.PERSON  # this example predates the "bot" field


def test_users_as_anyone_else_sees_them() -> None:
    john, jack = (parse_account(item) for item in payload("users_regular"))
    assert (john.login, john.email, john.last_login_at, john.two_factor) == (
        "john_smith", None, None, None)
    assert (jack.status, jack.created_at) == (AccountStatus.LOCKED, None)


def test_public_profile_gives_public_email_and_bot_flag() -> None:
    profile = payload("user_profile")
    account = parse_account(profile)
    assert (account.email, account.kind, account.is_admin) == (
        "john@example.com", AccountKind.PERSON, False)
    assert parse_account({**profile, "bot": True}).kind is AccountKind.SERVICE


def test_every_gitlab_state_has_a_status() -> None:
    base = payload("users_regular")[0]
    states = {state: parse_account({**base, "state": state}).status for state in (
        "active", "blocked", "ldap_blocked", "banned", "deactivated",
        "blocked_pending_approval", "something_new")}
    assert states == {
        "active": AccountStatus.ACTIVE, "blocked": AccountStatus.LOCKED,
        "ldap_blocked": AccountStatus.LOCKED, "banned": AccountStatus.LOCKED,
        "deactivated": AccountStatus.DEACTIVATED,
        "blocked_pending_approval": AccountStatus.PENDING,
        "something_new": AccountStatus.LOCKED,  # unknown: not counted as usable
    }


def test_activity_later_than_any_sign_in_counts_as_last_seen() -> None:
    john = payload("users_admin")[0]
    assert last_seen({**john, "last_activity_on": "2013-02-01"}) == datetime(
        2013, 2, 1, tzinfo=UTC)
    # the same day as the sign-in: the sign-in's time is more precise
    assert last_seen({**john, "last_activity_on": "2012-06-02"}) == datetime(
        2012, 6, 2, 6, 36, 55, tzinfo=UTC)
    bot = {"last_sign_in_at": None, "current_sign_in_at": None, "last_activity_on": "2024-03-01"}
    assert last_seen(bot) == datetime(2024, 3, 1, tzinfo=UTC)
    assert last_seen({"last_activity_on": None}) is None


def test_version_and_access_levels_as_roles() -> None:
    version = payload("version")["version"]
    assert parse_version(version) == (8, 13)
    assert parse_version("17.5.1-ee") == (17, 5) and parse_version("nonsense") == (0, 0)
    roles = {r.remote_id: (r.name, r.is_admin_like) for r in access_roles(version)}
    assert roles == {"5": ("Minimal Access", False), "10": ("Guest", False),
                     "20": ("Reporter", False), "30": ("Developer", False),
                     "40": ("Maintainer", True), "50": ("Owner", True)}
    assert ("15", "Planner") in {(r.remote_id, r.name) for r in access_roles("17.7.0-ee")}


def test_groups_and_projects() -> None:
    [group] = payload("groups")
    parsed = parse_group(group, ["1", "2"])
    assert (parsed.remote_id, parsed.name, parsed.member_ids) == ("1", "Foobar Group",
                                                                  ("1", "2"))
    details = payload("group_details")
    project = parse_project(details["shared_projects"][0])
    assert (project.remote_id, project.key, project.name, project.status, project.parent_id) == (
        "8", "h5bp/html5-boilerplate", "Html5 Boilerplate", ProjectStatus.ACTIVE, None)
    assert project.updated_at == datetime(2016, 6, 17, 7, 47, 27, 310000, tzinfo=UTC)
    archived = parse_project({**details["projects"][0], "archived": True})
    assert archived.status is ProjectStatus.ARCHIVED


def test_memberships_tell_direct_from_inherited_and_shared() -> None:
    """Project 8 of the example lives in group 5 and is shared with groups 4 and 3.

    Raymond (1) and John (2) are direct members; Foo (3) only appears in
    ``/members/all``. Say Foo is a Reporter of group 4 (shared at Developer) and
    John a Maintainer of the project's own group 5.
    """
    project = payload("group_details")["shared_projects"][0]
    group_members = {"4": {"3": 20}, "5": {"2": 40}, "3": {}}
    memberships = {m.remote_id: m for m in parse_memberships(
        project, payload("members"), payload("members_all"), group_members, ["5"])}
    assert memberships["project:8:user:1"].roles == (RoleGrant("30"),)
    assert memberships["project:8:user:2"].roles == (RoleGrant("30"), RoleGrant("40", "5"))
    foo = memberships["project:8:user:3"]
    assert foo.roles == (RoleGrant("20", "4"),) and foo.inherited_only
    shared = memberships["project:8:group:4"]
    assert (shared.group_id, shared.account_id, shared.roles) == ("4", None, (RoleGrant("30"),))
    assert memberships["project:8:group:3"].roles == (RoleGrant("10"),)


def test_access_from_an_unseen_source_is_put_on_the_projects_group() -> None:
    project = payload("group_details")["projects"][0]
    [foo] = [m for m in parse_memberships(project, [], payload("members_all")[2:], {}, ["4"])]
    assert foo.roles == (RoleGrant("30", "4"),)


def test_issue_with_notes() -> None:
    [issue] = payload("issues")
    notes = payload("issue_notes")
    ticket = parse_ticket(issue, notes)
    assert (ticket.remote_id, ticket.project_id, ticket.key) == (
        "project:1:issue:6", "1", "my-group/my-project#6")
    assert (ticket.subject, ticket.status, ticket.is_closed) == (
        "Consequatur vero maxime deserunt laboriosam est voluptas dolorem.", "opened", False)
    assert (ticket.author_id, ticket.assignee_id, ticket.labels) == ("18", "1", ("foo", "bar"))
    assert ticket.priority == "Normal"
    assert ticket.comments == ()  # both example notes are system notes
    comment = {**notes[1], "system": False}
    [parsed] = parse_ticket(issue, [notes[0], comment]).comments
    assert (parsed.remote_id, parsed.author_id, parsed.author_name, parsed.body) == (
        "305", "1", "Pip", "Text of the comment\r\n")


def test_issue_key_without_references_and_closed_state() -> None:
    [issue] = payload("issues")
    bare = {k: v for k, v in issue.items() if k != "references"}
    assert parse_ticket(bare, project_path="my-group/my-project").key == "my-group/my-project#6"
    assert parse_ticket({**issue, "state": "closed"}).is_closed


def test_priority_from_scoped_labels() -> None:
    assert priority_of(["bug", "priority::high"]) == "High"
    assert priority_of(["Priority::P1"]) == "P1"
    assert priority_of(["priority-high", "priority::"]) == "Normal"


def test_error_bodies_say_what_is_wrong() -> None:
    errors = payload("errors")
    answer = httpx.Response(404, json=errors["user_not_found"])
    assert tool_error_messages(answer) == ["404 User Not Found"]
    invalid = httpx.Response(400, json=errors["validation"])
    assert tool_error_messages(invalid) == ["fingerprint: ['has already been taken']",
                                            "key: ['has already been taken']"]
