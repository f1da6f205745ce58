"""Redmine dialect: issues with journals, writes that add journals, reference lists."""

from __future__ import annotations

import httpx

from pmcockpit.sim.models import Issue
from pmcockpit.sim.tool import SimTool
from tests.sim.conftest import WRITE_TIME

NEW, IN_PROGRESS, CLOSED = 1, 2, 5


def open_issue(tool: SimTool) -> Issue:
    return next(i for i in tool.state.issues.values()
                if not tool.state.statuses[i.status_id].is_closed)


def support_admin(tool: SimTool) -> int:
    """A user who may be assigned support tickets (a member of the support project)."""
    member = next(m for m in tool.state.memberships_of_project(1)
                  if m.principal_id in tool.state.users)
    return member.principal_id


async def test_issue_list_is_open_only_by_default(tool: SimTool,
                                                  client: httpx.AsyncClient) -> None:
    issues = tool.state.issues.values()
    closed = {s.id for s in tool.state.statuses.values() if s.is_closed}
    default = (await client.get("/issues.json", params={"limit": 100})).json()
    assert default["total_count"] == sum(i.status_id not in closed for i in issues)
    assert all(not item["status"]["is_closed"] for item in default["issues"])
    ids = [item["id"] for item in default["issues"]]
    assert ids == sorted(ids, reverse=True)
    everything = (await client.get("/issues.json", params={"status_id": "*"})).json()
    assert everything["total_count"] == len(tool.state.issues)
    only_closed = (await client.get("/issues.json", params={"status_id": "closed"})).json()
    assert only_closed["total_count"] == sum(i.status_id in closed for i in issues)
    by_id = (await client.get("/issues.json", params={"status_id": NEW})).json()
    assert {i["status"]["id"] for i in by_id["issues"]} == {NEW}


async def test_issue_filters_and_sort(tool: SimTool, client: httpx.AsyncClient) -> None:
    by_identifier = (await client.get("/issues.json", params={
        "project_id": "pm-support", "status_id": "*", "sort": "updated_on:desc",
        "limit": 100})).json()["issues"]
    stamps = [i["updated_on"] for i in by_identifier]
    assert stamps == sorted(stamps, reverse=True)
    assignee = next(i.assigned_to_id for i in tool.state.issues.values() if i.assigned_to_id)
    assigned = (await client.get("/issues.json", params={
        "assigned_to_id": assignee, "status_id": "*"})).json()["issues"]
    assert assigned and all(i["assigned_to"]["id"] == assignee for i in assigned)
    unassigned = (await client.get("/issues.json", params={"assigned_to_id": "!*"})).json()
    assert all("assigned_to" not in i for i in unassigned["issues"])
    assert (await client.get("/issues.json", params={"project_id": "nope"})).status_code == 404


async def test_issue_fields_and_journals(tool: SimTool, client: httpx.AsyncClient) -> None:
    issue = max(tool.state.issues.values(), key=lambda i: len(i.journals))
    data = (await client.get(f"/issues/{issue.id}.json",
                             params={"include": "journals"})).json()["issue"]
    assert {"id", "project", "tracker", "status", "priority", "author", "subject",
            "description", "created_on", "updated_on", "closed_on"} <= set(data)
    assert set(data["status"]) == {"id", "name", "is_closed"}
    journals = data["journals"]
    assert [j["notes"] for j in journals] == [j.notes for j in issue.journals]
    assert set(journals[0]) >= {"id", "user", "notes", "created_on", "details"}
    details = [d for j in journals for d in j["details"]]
    assert {"property": "attr", "name": "status_id", "old_value": "1", "new_value": "2"} in details
    plain = (await client.get(f"/issues/{issue.id}.json")).json()["issue"]
    assert "journals" not in plain


async def test_unassigned_issues_have_no_assigned_to(tool: SimTool,
                                                     client: httpx.AsyncClient) -> None:
    issue = next(i for i in tool.state.issues.values() if i.assigned_to_id is None)
    data = (await client.get(f"/issues/{issue.id}.json")).json()["issue"]
    assert "assigned_to" not in data


async def test_create_issue(tool: SimTool, client: httpx.AsyncClient) -> None:
    created = await client.post("/issues.json", json={"issue": {
        "project_id": "pm-support", "subject": "VPN down", "description": "since 9:00",
        "priority_id": 4}})
    assert created.status_code == 201
    data = created.json()["issue"]
    assert data["id"] == max(tool.state.issues)
    assert (data["subject"], data["priority"]["name"], data["status"]["name"]) == (
        "VPN down", "Urgent", "New")
    assert data["created_on"] == WRITE_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    blank = await client.post("/issues.json", json={"issue": {"project_id": 1, "subject": ""}})
    assert blank.json() == {"errors": ["Subject cannot be blank"]}
    nowhere = await client.post("/issues.json", json={"issue": {"subject": "x"}})
    assert nowhere.json() == {"errors": ["Project cannot be blank", "Tracker cannot be blank",
                                         "Status cannot be blank"]}


async def test_notes_and_changes_add_journals(tool: SimTool, client: httpx.AsyncClient) -> None:
    issue = open_issue(tool)
    before = len(issue.journals)
    noted = await client.put(f"/issues/{issue.id}.json",
                             json={"issue": {"notes": "Looking into it"}})
    assert (noted.status_code, noted.content) == (204, b"")
    assert issue.journals[-1].notes == "Looking into it" and not issue.journals[-1].details
    assignee = support_admin(tool)
    old_status = issue.status_id
    await client.put(f"/issues/{issue.id}.json", json={"issue": {
        "status_id": CLOSED, "assigned_to_id": assignee, "notes": "Fixed"}})
    journal = issue.journals[-1]
    assert len(issue.journals) == before + 2
    assert {(d.name, d.old_value, d.new_value) for d in journal.details} >= {
        ("status_id", str(old_status), str(CLOSED))}
    assert issue.closed_on == WRITE_TIME and issue.updated_on == WRITE_TIME
    shown = (await client.get(f"/issues/{issue.id}.json",
                              params={"include": "journals"})).json()["issue"]
    assert shown["journals"][-1]["notes"] == "Fixed"
    assert shown["assigned_to"]["id"] == assignee


async def test_assignee_null_is_ignored_and_empty_clears(tool: SimTool,
                                                         client: httpx.AsyncClient) -> None:
    issue = next(i for i in tool.state.issues.values() if i.assigned_to_id is not None)
    assignee = issue.assigned_to_id
    await client.put(f"/issues/{issue.id}.json", json={"issue": {"assigned_to_id": None}})
    assert issue.assigned_to_id == assignee
    await client.put(f"/issues/{issue.id}.json", json={"issue": {"assigned_to_id": ""}})
    assert issue.assigned_to_id is None
    outsider = next(u.id for u in tool.state.users.values()
                    if tool.state.member_of(issue.project_id, u.id) is None)
    refused = await client.put(f"/issues/{issue.id}.json",
                               json={"issue": {"assigned_to_id": outsider}})
    assert refused.json() == {"errors": ["Assignee is invalid"]}


async def test_non_member_may_report_in_public_support_project(tool: SimTool) -> None:
    reporter = next(u for u in tool.state.users.values() if u.status == 1 and not u.admin
                    and tool.state.member_of(1, u.id) is None)
    async with tool.client(token=reporter.api_key) as own:
        created = await own.post("/issues.json", json={"issue": {
            "project_id": 1, "subject": "Cannot export Gantt"}})
        assert created.status_code == 201
        assert created.json()["issue"]["author"]["id"] == reporter.id
        issue_id = created.json()["issue"]["id"]
        changed = await own.put(f"/issues/{issue_id}.json",
                                json={"issue": {"status_id": CLOSED}})
        assert changed.status_code == 403


async def test_reference_lists(client: httpx.AsyncClient) -> None:
    statuses = (await client.get("/issue_statuses.json")).json()["issue_statuses"]
    assert {s["name"]: s["is_closed"] for s in statuses}.items() >= {
        "New": False, "In Progress": False, "Resolved": False, "Closed": True}.items()
    trackers = (await client.get("/trackers.json")).json()["trackers"]
    assert "Support" in [t["name"] for t in trackers]
    priorities = (await client.get("/enumerations/issue_priorities.json")).json()
    names = [p["name"] for p in priorities["issue_priorities"]]
    assert names[:4] == ["Low", "Normal", "High", "Urgent"]
    assert [p["name"] for p in priorities["issue_priorities"] if p["is_default"]] == ["Normal"]


async def test_issues_filter_on_updated_on_as_redmine_does(tool: SimTool,
                                                          client: httpx.AsyncClient) -> None:
    """``updated_on=>=T`` (what an incremental sync asks), ``<=``, ``><T1|T2`` and a day."""
    issues = sorted(tool.state.issues.values(), key=lambda issue: issue.updated_on)
    middle = issues[len(issues) // 2].updated_on.replace(microsecond=0)
    stamp = middle.strftime("%Y-%m-%dT%H:%M:%SZ")
    day = middle.strftime("%Y-%m-%d")

    async def total(value: str) -> int:
        reply = await client.get("/issues.json", params={"status_id": "*", "limit": 1,
                                                         "updated_on": value})
        assert reply.status_code == 200, reply.text
        count: int = reply.json()["total_count"]
        return count

    assert await total(f">={stamp}") == sum(i.updated_on >= middle for i in issues)
    assert await total(f"<={day}") == sum(i.updated_on.strftime("%Y-%m-%d") <= day
                                          for i in issues)
    on_day = sum(i.updated_on.strftime("%Y-%m-%d") == day for i in issues)
    assert await total(day) == on_day == await total(f"><{day}|{day}")
    assert (await client.get("/issues.json", params={"updated_on": ">=soon"})).status_code == 422
