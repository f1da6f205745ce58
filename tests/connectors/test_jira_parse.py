"""The Jira parsers against the example payloads of Atlassian's published reference."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
import respx

from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.connectors.errors import BadResponse, Rejected
from pmcockpit.connectors.jira import JiraConnector
from pmcockpit.connectors.jira_adf import adf_to_text, text_to_adf
from pmcockpit.connectors.jira_parse import (
    build_memberships,
    comment_items,
    is_admin_group,
    parse_account,
    parse_comment,
    parse_group,
    parse_last_active,
    parse_project,
    parse_role,
    parse_ticket,
    parsing,
    role_actors,
    role_id_from_url,
    split_membership_id,
)
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus, RoleGrant
from pmcockpit.sim.dialects.jira.adf import to_text as sim_to_text
from tests.connectors.jira_payloads import DEVELOPERS_GROUP, EMMA, MIA, URL, load
from tests.connectors.redmine_routes import sent_json

LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. Pellentesque eget venenatis "
         "elit. Duis eu justo eget augue iaculis fermentum. Sed semper quam laoreet nisi "
         "egestas at posuere augue semper.")


def test_users_without_visible_email_log_in_by_account_id() -> None:
    mia, emma = (parse_account(item) for item in load("users_search"))
    assert (mia.remote_id, mia.login, mia.name, mia.email) == (MIA, MIA, "Mia Krystof", None)
    assert mia.status is AccountStatus.LOCKED  # "active": false
    assert mia.kind is AccountKind.PERSON and not mia.is_admin and mia.last_login_at is None
    assert emma.remote_id == EMMA


def test_user_with_email() -> None:
    mia = parse_account(load("user"), is_admin=True)
    assert (mia.login, mia.email, mia.status, mia.is_admin) == (
        "mia", "mia@example.com", AccountStatus.ACTIVE, True)
    app = parse_account({**load("user"), "accountType": "app"})
    assert app.kind is AccountKind.SERVICE


def test_admin_groups() -> None:
    assert all(is_admin_group(n) for n in ("site-admins", "jira-administrators",
                                           "org-admins", "jira-admins-acme"))
    assert not is_admin_group("jdog-developers")
    assert is_admin_group("it-ops", frozenset({"it-ops"}))
    assert not is_admin_group("site-admins", frozenset({"it-ops"}))


def test_groups_and_members() -> None:
    page = load("group_bulk")
    assert page["isLast"] is True
    groups = [parse_group(item) for item in page["values"]]
    assert [(g.remote_id, g.name) for g in groups] == [
        ("276f955c-63d7-42c8-9520-92d01dca0625", "jdog-developers"),
        ("6e87dc72-4f1f-421f-9382-2fee8b652487", "juvenal-bot")]
    members = [item["accountId"] for item in load("group_member")["values"]]
    assert parse_group(page["values"][0], members).member_ids == (MIA, "5b10a0effa615349cb016cd8")


def test_projects() -> None:
    page = load("project_search")
    assert (page["isLast"], page["total"]) == (False, 7)
    example = parse_project(page["values"][0])
    assert (example.remote_id, example.key, example.name, example.status) == (
        "10000", "EX", "Example", ProjectStatus.ACTIVE)
    assert example.updated_at == datetime(2021, 4, 22, 5, 37, 5, tzinfo=UTC)
    assert parse_project({**page["values"][1], "archived": True}).status is \
        ProjectStatus.ARCHIVED


def test_roles_and_their_actors_become_memberships() -> None:
    assert sorted(role_id_from_url(u) for u in load("project_roles").values()) == [
        "10000", "10001", "10002"]
    [developers] = [parse_role(item) for item in load("roles")]
    assert (developers.remote_id, developers.name, developers.is_admin_like) == (
        "10360", "Developers", False)
    role = load("project_role")
    assert role_actors(role, {}) == ([MIA], [DEVELOPERS_GROUP])
    memberships = {m.remote_id: m for m in build_memberships(
        "10000", {"10360": role}, {DEVELOPERS_GROUP: [MIA, EMMA]}, {})}
    assert memberships[f"10000:user:{MIA}"].roles == (
        RoleGrant("10360"), RoleGrant("10360", DEVELOPERS_GROUP))
    emma = memberships[f"10000:user:{EMMA}"]
    assert emma.inherited_only and emma.roles == (RoleGrant("10360", DEVELOPERS_GROUP),)
    group = memberships[f"10000:group:{DEVELOPERS_GROUP}"]
    assert (group.account_id, group.group_id, group.roles) == (
        None, DEVELOPERS_GROUP, (RoleGrant("10360"),))


def test_an_actor_group_named_without_id_is_looked_up() -> None:
    role = load("project_role")
    del role["actors"][0]["actorGroup"]["groupId"]
    assert role_actors(role, {"jira-developers": "g-1"}) == ([MIA], ["g-1"])


def test_membership_ids_keep_account_ids_with_colons() -> None:
    assert split_membership_id("10000:user:712020:3f1c-aa") == ("10000", "user", "712020:3f1c-aa")
    with pytest.raises(ValueError, match="is not a Jira membership id"):
        split_membership_id("103")


def test_comments_with_adf_bodies() -> None:
    page = load("comments")
    [comment] = [parse_comment(item) for item in page["comments"]]
    assert (comment.remote_id, comment.author_id, comment.author_name, comment.body) == (
        "10000", MIA, "Mia Krystof", LOREM)
    assert comment.created_at == datetime(2021, 1, 17, 12, 34, tzinfo=UTC)


def test_published_issue_examples() -> None:
    """They carry a bare comment list, and no status or created date."""
    issue = load("issue")
    assert adf_to_text(issue["fields"]["description"]) == "Main order flow broken"
    comments, total = comment_items(issue["fields"]["comment"])
    assert total == 1 and parse_comment(comments[0]).body == LOREM
    searched = load("search_jql")
    assert "nextPageToken" not in searched  # the only page
    [found] = searched["issues"]
    plain, _ = comment_items(found["fields"]["comment"])
    assert parse_comment(plain[0]).body == LOREM  # a plain-text body is kept as it is
    with pytest.raises(BadResponse, match=r"could not read issues \(missing 'status'\)"), \
            parsing("jira", "issues"):
        parse_ticket(found)


def test_ticket_with_every_field() -> None:
    issue = load("issue")
    issue["fields"].update({
        "summary": "Order flow", "created": "2021-01-17T12:00:00.000+0000",
        "status": {"name": "Closed", "statusCategory": {"key": "done"}},
        "priority": {"name": "High"}, "labels": ["checkout"], "issuetype": {"name": "Bug"},
        "assignee": {"accountId": MIA}, "reporter": {"accountId": EMMA},
        "comment": {"comments": issue["fields"]["comment"], "total": 1}})
    ticket = parse_ticket(issue)
    assert (ticket.remote_id, ticket.key, ticket.project_id, ticket.status, ticket.is_closed) \
        == ("10002", "ED-1", "10000", "Closed", True)
    assert (ticket.assignee_id, ticket.author_id, ticket.priority, ticket.labels) == (
        MIA, EMMA, "High", ("Bug", "checkout"))
    assert ticket.updated_at == ticket.created_at  # "updated": 1 is not a date
    assert [c.body for c in ticket.comments] == [LOREM]


def test_last_active_dates() -> None:
    assert parse_last_active(load("admin_last_active_dates")) == (
        datetime(2023, 1, 19, tzinfo=UTC), None)
    page = {"data": {"product_access": [
        {"key": "jira-software", "last_active": "2023-01-19"},
        {"key": "confluence", "last_active": "2023-01-18",
         "last_active_timestamp": "2023-02-01T10:00:00Z"}]}, "links": {"next": "abc"}}
    assert parse_last_active(page) == (datetime(2023, 2, 1, 10, tzinfo=UTC), "abc")
    assert parse_last_active({"data": {"product_access": []}}) == (None, None)


def test_adf_to_text_and_back() -> None:
    document = {"type": "doc", "version": 1, "content": [
        {"type": "heading", "content": [{"type": "text", "text": "Steps"}]},
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Ask "}, {"type": "mention", "attrs": {"text": "@Mia"}},
            {"type": "hardBreak"}, {"type": "text", "text": "today", "marks": [
                {"type": "strong"}]}]},
        {"type": "orderedList", "content": [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": "reset"}]}]},
            {"type": "listItem", "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": "retry"}]}]}]},
        {"type": "rule"},
        {"type": "someFutureNode", "content": [{"type": "text", "text": "kept"}]}]}
    assert adf_to_text(document) == "Steps\n\nAsk @Mia\ntoday\n\n1. reset\n2. retry\n\n---\n\nkept"
    text = "First line\nsecond line\n\nNew paragraph"
    assert adf_to_text(text_to_adf(text)) == text
    assert sim_to_text(text_to_adf(text)) == text  # what the simulator stores
    assert adf_to_text(None) == "" and adf_to_text("plain") == "plain"


# -- the connector on the published examples (respx) ---------------------------------------


@pytest.fixture
async def jira() -> AsyncIterator[tuple[JiraConnector, respx.Router]]:
    router = respx.Router(base_url=URL, assert_all_called=False)
    config = ConnectionConfig("jira-prod", "jira", URL, "api-token-secret",
                              {"email": "me@example.org"})
    connector = JiraConnector(config, transport=httpx.MockTransport(router.handler))
    yield connector, router
    await connector.aclose()


async def test_server_info(jira: tuple[JiraConnector, respx.Router]) -> None:
    connector, router = jira
    router.get("/rest/api/3/serverInfo").respond(json=load("server_info"))
    info = await connector.server_info()
    assert (info.product, info.version) == ("Jira", "1001.0.0-SNAPSHOT")
    assert info.extra == {"title": "My Jira instance", "admin_api": "not configured"}


async def test_transition_chosen_by_target_status(
        jira: tuple[JiraConnector, respx.Router]) -> None:
    connector, router = jira
    router.get("/rest/api/3/issue/10002").respond(json={
        "id": "10002", "key": "ED-1", "fields": {"status": {"name": "Open"}}})
    router.get("/rest/api/3/issue/10002/transitions").respond(json=load("transitions"))
    post = router.post("/rest/api/3/issue/10002/transitions").respond(204)
    close = Action(ActionKind.SET_TICKET_STATUS, "jira-prod", "10002", params={"status": "closed"})
    assert await connector.capture(close) == {"status": "Open"}
    assert await connector.execute(close) == {"new_status": "Closed"}
    assert sent_json(post) == {"transition": {"id": "711"}}
    done = Action(ActionKind.SET_TICKET_STATUS, "jira-prod", "10002", params={"status": "Done"})
    with pytest.raises(Rejected, match="ED-1 cannot go from Open to Done: its workflow offers "
                                       "Closed, In Progress"):
        await connector.plan(done)


async def test_create_ticket_answers_id_and_key(
        jira: tuple[JiraConnector, respx.Router]) -> None:
    connector, router = jira
    post = router.post("/rest/api/3/issue").respond(201, json=load("created_issue"))
    create = Action(ActionKind.CREATE_TICKET, "jira-prod", "10000",
                    params={"subject": "VPN down", "description": "since 9:00"})
    assert await connector.execute(create) == {"ticket_id": "10000", "key": "ED-24"}
    assert sent_json(post) == {"fields": {
        "project": {"id": "10000"}, "summary": "VPN down", "issuetype": {"name": "Task"},
        "description": text_to_adf("since 9:00")}}


def test_jira_modules_import_no_ui_or_database() -> None:
    modules = ("pmcockpit.connectors.jira", "pmcockpit.sim.dialects.jira")
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            "print(sorted({n.split('.')[0] for n in sys.modules} & "
            "{'textual', 'sqlalchemy', 'alembic'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
