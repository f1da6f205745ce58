"""Jira issues: one issue, comments, transitions, assignment, creation, server info.

(The search is in ``search``, edits in ``edit``.) An issue's ``comment`` field
carries at most 20 comments with their ``total``; the rest are read from
``/issue/{key}/comment``. Every status can be reached from every other one (Jira's
"allow all statuses to transition here"). Rich text is ADF under ``/rest/api/3`` and
a plain string under ``/rest/api/2``.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.jira.core import (
    ID_OFFSET,
    JiraCall,
    error,
    find_account,
    find_issue,
    find_project,
    issue_key,
    issue_ref_id,
    jira_time,
    project_keys,
    project_ref_id,
    router,
    user_json,
)
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import USER_ACTIVE, Issue, IssueStatus, Journal

EMBEDDED_COMMENTS = 20
ISSUE_TYPES = {"Bug": "Bug", "Feature": "Story", "Support": "Task"}


@router.route("GET", "/rest/api/3/serverInfo")
def server_info(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return json_response(200, {
        "baseUrl": call.base_url, "displayUrl": call.base_url, "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0], "deploymentType": "Cloud", "buildNumber": 100289,
        "buildDate": "2026-01-05T00:00:00.000+0000", "serverTime": jira_time(call.state.clock()),
        "scmInfo": "4d8b2e1c5f0a", "serverTitle": "Jira (pmcockpit simulator)",
        "serverTimeZone": "Etc/UTC",
    })


# Shapes ---------------------------------------------------------------------------------


def status_json(call: JiraCall, status: IssueStatus) -> dict[str, Any]:
    if status.is_closed:
        category = (3, "done", "green", "Done")
    elif status.name == "New":
        category = (2, "new", "blue-gray", "To Do")
    else:
        category = (4, "indeterminate", "yellow", "In Progress")
    number, key, colour, name = category
    return {"self": f"{call.base_url}/rest/api/3/status/{status.id}", "description": "",
            "name": status.name, "id": str(status.id), "statusCategory": {
                "self": f"{call.base_url}/rest/api/3/statuscategory/{number}", "id": number,
                "key": key, "colorName": colour, "name": name}}


def _person(call: JiraCall, user_id: int | None) -> dict[str, Any] | None:
    user = call.state.users.get(user_id or 0)
    return user_json(call, user) if user is not None else None


def comment_json(call: JiraCall, issue: Issue, journal: Journal) -> dict[str, Any]:
    data: dict[str, Any] = {
        "self": f"{call.base_url}/rest/api/3/issue/{issue_ref_id(issue)}/comment/"
                f"{ID_OFFSET + journal.id}",
        "id": str(ID_OFFSET + journal.id),
    }
    author = _person(call, journal.user_id)
    if author is not None:  # someone with no Jira account (it happens in migrated data)
        data["author"] = data["updateAuthor"] = author
    data.update({"body": call.rich(journal.notes), "created": jira_time(journal.created_on),
                 "updated": jira_time(journal.created_on), "jsdPublic": True})
    return data


def _comments(issue: Issue) -> list[Journal]:
    return [j for j in issue.journals if j.notes]


def issue_json(call: JiraCall, issue: Issue, fields: set[str]) -> dict[str, Any]:
    state = call.state
    project = state.projects[issue.project_id]
    tracker = state.trackers[issue.tracker_id].name
    values: dict[str, Any] = {
        "summary": issue.subject, "status": status_json(call, state.statuses[issue.status_id]),
        "priority": {"id": str(issue.priority_id),
                     "name": state.priorities[issue.priority_id].name},
        "assignee": _person(call, issue.assigned_to_id),
        "reporter": _person(call, issue.author_id), "creator": _person(call, issue.author_id),
        "created": jira_time(issue.created_on), "updated": jira_time(issue.updated_on),
        "resolutiondate": jira_time(issue.closed_on), "description": call.rich(issue.description),
        "labels": list(issue.labels), "issuetype": {"id": str(issue.tracker_id),
                                    "name": ISSUE_TYPES.get(tracker, tracker), "subtask": False},
        "project": {"id": project_ref_id(project), "key": project_keys(state)[project.id],
                    "name": project.name},
    }
    if "comment" in fields or "*all" in fields:
        comments = _comments(issue)
        values["comment"] = {
            "comments": [comment_json(call, issue, j) for j in comments[:EMBEDDED_COMMENTS]],
            "self": f"{call.base_url}/rest/api/3/issue/{issue_ref_id(issue)}/comment",
            "maxResults": EMBEDDED_COMMENTS, "total": len(comments), "startAt": 0}
    chosen = values if fields & {"*all", "*navigable"} else {
        k: v for k, v in values.items() if k in fields}
    return {"expand": "", "id": issue_ref_id(issue), "key": issue_key(state, issue),
            "self": f"{call.base_url}/rest/api/3/issue/{issue_ref_id(issue)}",
            **({"fields": chosen} if chosen else {})}


# One issue ------------------------------------------------------------------------------


@router.route("GET", "/rest/api/3/issue/{issue}")
def show_issue(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    return json_response(200, issue_json(call, issue, set(call.args("fields")) or {"*all"}))


@router.route("POST", "/rest/api/3/issue")
def create_issue(call: JiraCall, _: dict[str, str]) -> SimResponse:
    state = call.state
    fields = call.body.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    given = fields.get("project") or {}
    if not isinstance(given, dict) or not (given.get("id") or given.get("key")):
        raise error(400, project="Specify a valid project ID or key")
    project = find_project(call, str(given.get("id") or given.get("key")))
    summary = str(fields.get("summary") or "").strip()
    if not summary:
        raise error(400, summary="You must specify a summary of the issue.")
    kind = fields.get("issuetype") or {}
    tracker = next((t for t in state.trackers.values() if isinstance(kind, dict) and (
        ISSUE_TYPES.get(t.name, t.name) == kind.get("name") or str(t.id) == kind.get("id"))),
        None)
    if tracker is None:
        raise error(400, issuetype="Specify a valid issue type")
    assignee = None
    wanted = (fields.get("assignee") or {}).get("accountId")
    if wanted:
        user = find_account(state, str(wanted))
        if user is None or user.status != USER_ACTIVE:
            raise error(400, assignee=f"User '{wanted}' cannot be assigned issues.")
        assignee = user.id
    description = call.text_of(fields["description"]) if "description" in fields else ""
    if description is None:
        raise error(400, description="Operation value must be an Atlassian Document (see the "
                                     "Atlassian Document Format)." if not call.plain else
                    "Operation value must be a string")
    labels = [str(label) for label in fields.get("labels") or [] if str(label).strip()]
    now = state.clock()
    priority = next(p.id for p in state.priorities.values() if p.is_default)
    issue = state.add_issue(Issue(
        id=state.next_id("issue"), project_id=project.id, tracker_id=tracker.id,
        status_id=tracker.default_status_id, priority_id=priority, author_id=call.user.id,
        assigned_to_id=assignee, subject=summary,
        description=description, labels=labels, created_on=now, updated_on=now))
    return json_response(201, {
        "id": issue_ref_id(issue), "key": issue_key(state, issue),
        "self": f"{call.base_url}/rest/api/3/issue/{issue_ref_id(issue)}"})


@router.route("GET", "/rest/api/3/issue/{issue}/comment")
def list_comments(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    comments = _comments(issue)
    start, size = call.page(default=50, cap=100)
    return json_response(200, {
        "comments": [comment_json(call, issue, j) for j in comments[start:start + size]],
        "maxResults": size, "startAt": start, "total": len(comments)})


@router.route("GET", "/rest/api/3/issue/{issue}/comment/{id}")
def show_comment(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    wanted = to_int(params["id"])
    journal = next((j for j in _comments(issue) if ID_OFFSET + j.id == wanted), None)
    if journal is None:
        raise error(404, "Can not find a comment for the id: " + params["id"] + ".")
    return json_response(200, comment_json(call, issue, journal))


@router.route("POST", "/rest/api/3/issue/{issue}/comment")
def add_comment(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    text = call.text_of(call.body.get("body"))
    if not text or not text.strip():
        raise error(400, comment="Comment body can not be empty!")
    journal = call.state.update_issue(issue, call.user.id, text, {})
    assert journal is not None
    return json_response(201, comment_json(call, issue, journal))


def _transition_id(status: IssueStatus) -> str:
    return f"{status.id}1"


@router.route("GET", "/rest/api/3/issue/{issue}/transitions")
def list_transitions(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    targets = [s for s in call.state.statuses.values() if s.id != issue.status_id]
    return json_response(200, {"expand": "transitions", "transitions": [
        {"id": _transition_id(s), "name": s.name, "hasScreen": False, "isGlobal": True,
         "isInitial": False, "isAvailable": True, "isConditional": False, "isLooped": False,
         "to": status_json(call, s)} for s in targets]})


@router.route("POST", "/rest/api/3/issue/{issue}/transitions")
def do_transition(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    wanted = str((call.body.get("transition") or {}).get("id", ""))
    target = next((s for s in call.state.statuses.values()
                   if _transition_id(s) == wanted and s.id != issue.status_id), None)
    if target is None:
        raise error(400, f"Transition id '{wanted}' is not valid for this issue.")
    call.state.update_issue(issue, call.user.id, "", {"status_id": target.id})
    return empty_response(204)


@router.route("PUT", "/rest/api/3/issue/{issue}/assignee")
def assign(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    if "accountId" not in call.body:
        raise error(400, assignee="Specify the accountId of the assignee, or null.")
    wanted = call.body["accountId"]
    assignee: int | None = None
    if wanted is not None:
        user = find_account(call.state, str(wanted))
        if user is None or user.status != USER_ACTIVE:
            raise error(400, assignee=f"User '{wanted}' cannot be assigned issues.")
        assignee = user.id
    call.state.update_issue(issue, call.user.id, "", {"assigned_to_id": assignee})
    return empty_response(204)
