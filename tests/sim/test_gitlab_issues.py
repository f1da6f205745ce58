"""GitLab dialect: issues by project and label, notes (comments and system notes), changes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from pmcockpit.sim.dialects.gitlab import GitLabFacts, gitlab_facts
from pmcockpit.sim.dialects.gitlab.access import is_archived, project_levels
from pmcockpit.sim.models import USER_ACTIVE, Issue, Project
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import NOW, WRITE_TIME

API = "/api/v4"


@pytest.fixture
def gitlab() -> SimTool:
    return SimTool(dialect="gitlab", seed=7, scale=150, now=NOW, clock=lambda: WRITE_TIME)


@pytest.fixture
def facts(gitlab: SimTool) -> GitLabFacts:
    return gitlab_facts(gitlab.state)


@pytest.fixture
async def admin(gitlab: SimTool) -> AsyncIterator[httpx.AsyncClient]:
    async with gitlab.client() as client:
        yield client


def is_closed(gitlab: SimTool, issue: Issue) -> bool:
    return gitlab.state.statuses[issue.status_id].is_closed


def an_open_issue(gitlab: SimTool) -> Issue:
    return next(i for i in gitlab.state.issues.values() if not is_closed(gitlab, i)
                and any(j.notes for j in i.journals))


def issue_url(facts: GitLabFacts, issue: Issue) -> str:
    return f"{API}/projects/{issue.project_id}/issues/{facts.iid(issue)}"


async def test_all_issues_by_state_and_label(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    state = gitlab.state
    everything = (await admin.get(f"{API}/issues", params={
        "scope": "all", "per_page": 100, "non_archived": "false"})).json()
    assert {i["id"] for i in everything} == set(state.issues)
    opened = (await admin.get(f"{API}/issues", params={
        "scope": "all", "state": "opened", "per_page": 100})).json()
    assert {i["id"] for i in opened} == {i.id for i in state.issues.values()
                                         if not is_closed(gitlab, i)}
    assert all(i["state"] == "opened" for i in opened)
    urgent = (await admin.get(f"{API}/issues", params={
        "scope": "all", "labels": "priority::urgent,support", "per_page": 100})).json()
    assert {i["id"] for i in urgent} == {
        i.id for i in state.issues.values()
        if state.priorities[i.priority_id].name == "Urgent"}
    mine = (await admin.get(f"{API}/issues")).json()  # created_by_me by default
    assert all(i["author"]["username"] == "admin" for i in mine)


async def test_one_issue_by_iid_and_by_global_id(gitlab: SimTool, facts: GitLabFacts,
                                                 admin: httpx.AsyncClient) -> None:
    issue = an_open_issue(gitlab)
    shown = (await admin.get(issue_url(facts, issue))).json()
    assert (shown["id"], shown["iid"], shown["title"]) == (issue.id, facts.iid(issue),
                                                          issue.subject)
    assert shown["references"]["full"] == f"operations/pm-support#{facts.iid(issue)}"
    assert any(label.startswith("priority::") for label in shown["labels"])
    assert (await admin.get(f"{API}/issues/{issue.id}")).json()["iid"] == facts.iid(issue)
    person = next(u for u in gitlab.state.users.values() if not u.admin
                  and u.status == USER_ACTIVE)
    async with gitlab.client(token=person.api_key) as own:
        assert (await own.get(f"{API}/issues/{issue.id}")).status_code == 403
    assert (await admin.get(f"{API}/projects/{issue.project_id}/issues/9999")).json() == {
        "message": "404 Not found"}


async def test_notes_are_comments_and_system_notes(gitlab: SimTool, facts: GitLabFacts,
                                                   admin: httpx.AsyncClient) -> None:
    issue = an_open_issue(gitlab)
    notes = (await admin.get(f"{issue_url(facts, issue)}/notes",
                             params={"sort": "asc", "per_page": 100})).json()
    assert [n["body"] for n in notes if not n["system"]] == [j.notes for j in issue.journals
                                                             if j.notes]
    assert len([n for n in notes if n["system"]]) == sum(1 for j in issue.journals if j.details)
    newest_first = (await admin.get(f"{issue_url(facts, issue)}/notes")).json()
    assert newest_first[0]["created_at"] >= newest_first[-1]["created_at"]


async def test_comment_close_reopen_and_assign(gitlab: SimTool, facts: GitLabFacts,
                                               admin: httpx.AsyncClient) -> None:
    issue = an_open_issue(gitlab)
    url = issue_url(facts, issue)
    note = await admin.post(f"{url}/notes", json={"body": "On it"})
    assert (note.status_code, note.json()["body"], note.json()["system"]) == (201, "On it", False)
    assert issue.journals[-1].notes == "On it"
    closed = await admin.put(url, json={"state_event": "close"})
    assert closed.json()["state"] == "closed" and closed.json()["closed_at"]
    reopened = await admin.put(url, params={"state_event": "reopen"})
    assert reopened.json()["state"] == "opened"
    system = [n["body"] for n in (await admin.get(f"{url}/notes", params={"sort": "asc"})
                                  ).json() if n["system"]]
    assert system[-2:] == ["closed", "reopened"]
    person = next(u for u in gitlab.state.users.values() if u.status == USER_ACTIVE
                  and not u.admin)
    assigned = (await admin.put(url, json={"assignee_ids": [person.id]})).json()
    assert [a["id"] for a in assigned["assignees"]] == [person.id]
    assert assigned["assignee"]["username"] == person.login
    assert (await admin.put(url, json={"assignee_ids": [0]})).json()["assignees"] == []


async def test_an_assignee_without_access_is_dropped(gitlab: SimTool, facts: GitLabFacts,
                                                     admin: httpx.AsyncClient) -> None:
    project: Project = next(p for p in gitlab.state.projects.values() if not p.is_public
                            and not is_archived(p))
    created = await admin.post(f"{API}/projects/{project.id}/issues",
                               json={"title": "VPN down", "labels": "priority::high"})
    assert created.status_code == 201
    body = created.json()
    numbered = sum(1 for i in gitlab.state.issues.values() if i.project_id == project.id)
    assert (body["iid"], body["state"]) == (numbered, "opened")  # numbered per project
    assert "priority::high" in body["labels"]
    stranger = next(u for u in gitlab.state.users.values() if not u.admin
                    and u.id not in project_levels(gitlab.state, facts, project))
    updated = await admin.put(f"{API}/projects/{project.id}/issues/{body['iid']}",
                              json={"assignee_ids": [stranger.id]})
    assert updated.status_code == 200 and updated.json()["assignees"] == []


async def test_archived_projects_issues_are_read_only(gitlab: SimTool,
                                                      admin: httpx.AsyncClient) -> None:
    archived = next(p for p in gitlab.state.projects.values() if is_archived(p))
    refused = await admin.post(f"{API}/projects/{archived.id}/issues", json={"title": "x"})
    assert (refused.status_code, refused.json()) == (403, {"message": "403 Forbidden"})
    missing = await admin.post(f"{API}/projects/{archived.id}/issues", json={})
    assert missing.status_code == 403  # read-only comes before the missing title


async def test_issues_updated_after_and_before(gitlab: SimTool, admin: httpx.AsyncClient) -> None:
    """``updated_after`` (what an incremental sync asks) and ``updated_before``, inclusive."""
    issues = sorted(gitlab.state.issues.values(), key=lambda issue: issue.updated_on)
    middle = issues[len(issues) // 2].updated_on.replace(microsecond=0)
    stamp = middle.strftime("%Y-%m-%dT%H:%M:%SZ")

    async def ids(**params: str) -> set[int]:
        reply = await admin.get(f"{API}/issues", params={
            "scope": "all", "per_page": 100, "non_archived": "false", **params})
        assert reply.status_code == 200, reply.text
        return {issue["id"] for issue in reply.json()}

    after = {i.id for i in issues if i.updated_on >= middle}
    assert await ids(updated_after=stamp) == after
    assert await ids(updated_before=stamp) == {i.id for i in issues
                                               if i.updated_on <= middle}
    assert (await admin.get(f"{API}/issues", params={"updated_after": "soon"})
            ).status_code == 400
