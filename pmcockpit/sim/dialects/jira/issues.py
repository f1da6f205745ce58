"""Jira issues: the JQL search, comments, transitions, assignment, creation, server info.

``/search/jql`` (GET or POST) pages with an opaque ``nextPageToken`` and answers
only ids unless ``fields`` are asked for; it refuses an unbounded query, so a
client names the projects. The JQL understood is what pmcockpit sends: clauses
on ``project`` and ``statusCategory`` joined by AND, and ORDER BY. An issue's
``comment`` field carries at most 20 comments with their ``total``; the rest
are read from ``/issue/{key}/comment``. Every status can be reached from every
other one (Jira's "allow all statuses to transition here").
"""

from __future__ import annotations

import base64
import binascii
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.jira.adf import is_document, to_adf, to_text
from pmcockpit.sim.dialects.jira.core import (
    ID_OFFSET,
    JiraCall,
    error,
    find_account,
    find_issue,
    find_project,
    is_archived,
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

SEARCH_PAGE_CAP = 100
EMBEDDED_COMMENTS = 20
ISSUE_TYPES = {"Bug": "Bug", "Feature": "Story", "Support": "Task"}
UNBOUNDED = ("Unbounded JQL queries are not allowed here. Please add a search restriction "
             "to your query.")
ORDERS = {"created": lambda i: i.created_on, "updated": lambda i: i.updated_on,
          "key": lambda i: i.id, "id": lambda i: i.id}


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
    data.update({"body": to_adf(journal.notes), "created": jira_time(journal.created_on),
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
        "resolutiondate": jira_time(issue.closed_on), "description": to_adf(issue.description),
        "labels": [], "issuetype": {"id": str(issue.tracker_id),
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


# Search ---------------------------------------------------------------------------------


_UPDATED = re.compile(r"updated\s*(>=|<=|>|<)\s*['\"]?(\d{4}[-/]\d\d[-/]\d\d(?: \d\d:\d\d)?"
                      r"|-\d+[mhdw])['\"]?", re.IGNORECASE)
_COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
          "w": timedelta(weeks=1)}


def _updated_clause(clause: str, now: datetime) -> Callable[[Issue], bool] | None:
    """JQL ``updated >= "2026-03-01 08:12"`` (also ``>``, ``<=``, ``<``; a day alone is its
    midnight; times are in the user's zone, UTC here) or relative, ``updated >= "-15m"``
    (``m``, ``h``, ``d``, ``w`` before ``now``); None when it is another clause."""
    found = _UPDATED.fullmatch(clause.strip())
    if found is None:
        return None
    text = found.group(2).replace("/", "-")
    if text.startswith("-"):
        moment = now.astimezone(UTC) - int(text[1:-1]) * _UNITS[text[-1].lower()]
    else:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M" if " " in text else "%Y-%m-%d")
    bound = moment.replace(tzinfo=UTC, second=0, microsecond=0)
    compare = _COMPARE[found.group(1)]
    return lambda issue: compare(issue.updated_on.astimezone(UTC).replace(second=0,
                                                                          microsecond=0), bound)


def _matcher(call: JiraCall, jql: str) -> tuple[list[Any], str, bool]:
    """(filters, order field, descending) of the JQL; 400 for what is not understood."""
    parts = re.split(r"\s*\border\s+by\s+", jql.strip(), maxsplit=1, flags=re.IGNORECASE)
    where, order = parts[0], parts[1] if len(parts) > 1 else "created DESC"
    filters: list[Any] = []
    bounded = False
    for clause in filter(None, re.split(r"\s+\band\b\s+", where, flags=re.IGNORECASE)):
        found = re.fullmatch(r"project\s*(=|\bin\b)\s*\(?([^)]*)\)?", clause, re.IGNORECASE)
        if found:
            refs = [r.strip().strip("'\"") for r in found.group(2).split(",") if r.strip()]
            ids = {find_project(call, r).id for r in refs}
            filters.append(lambda i, ids=ids: i.project_id in ids)
            bounded = True
            continue
        found = re.fullmatch(r"statusCategory\s*(!=|=)\s*['\"]?([\w ]+?)['\"]?", clause,
                             re.IGNORECASE)
        if found:
            done = found.group(2).strip().lower() in ("done", "3")
            negate = found.group(1) == "!="
            filters.append(lambda i, d=done, n=negate:
                           call.state.statuses[i.status_id].is_closed == (d != n))
            continue
        updated = _updated_clause(clause, call.state.clock())
        if updated is not None:
            filters.append(updated)
            continue
        raise error(400, f"Error in the JQL Query: the clause '{clause}' is not understood.")
    if not bounded:
        raise error(400, UNBOUNDED)
    field, _, direction = order.strip().partition(" ")
    if field.lower() not in ORDERS:
        raise error(400, f"Not able to sort using field '{field}'.")
    return filters, field.lower(), direction.strip().upper() != "ASC"


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("page:"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise error(400, "The provided next page token is invalid or expired.") from None


def _search(call: JiraCall, jql: str, fields: set[str], token: str | None,
            size: int | None) -> SimResponse:
    issues: list[Issue] | None = call.state.read_cache.get(("jira-search", jql))
    if issues is None:  # kept for the following pages, until the next write
        filters, order, descending = _matcher(call, jql)
        issues = [i for i in call.state.issues.values()
                  if not is_archived(call.state.projects[i.project_id])
                  and all(f(i) for f in filters)]
        issues.sort(key=ORDERS[order], reverse=descending)
        call.state.read_cache[("jira-search", jql)] = issues
    start = _offset(token)
    size = 50 if size is None or size < 1 else min(size, SEARCH_PAGE_CAP)
    chosen = issues[start:start + size]
    data: dict[str, Any] = {"issues": [issue_json(call, i, fields) for i in chosen]}
    if start + len(chosen) < len(issues):
        data["nextPageToken"] = base64.urlsafe_b64encode(
            f"page:{start + len(chosen)}".encode()).decode()
    data["isLast"] = "nextPageToken" not in data
    return json_response(200, data)


@router.route("POST", "/rest/api/3/search/jql")
def search_post(call: JiraCall, _: dict[str, str]) -> SimResponse:
    fields = call.body.get("fields") or []
    return _search(call, str(call.body.get("jql") or ""),
                   {str(f) for f in fields} if isinstance(fields, list) else set(),
                   call.body.get("nextPageToken"), to_int(call.body.get("maxResults")))


@router.route("GET", "/rest/api/3/search/jql")
def search_get(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return _search(call, call.arg("jql") or "", set(call.args("fields")),
                   call.arg("nextPageToken"), to_int(call.arg("maxResults")))


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
    now = state.clock()
    priority = next(p.id for p in state.priorities.values() if p.is_default)
    issue = state.add_issue(Issue(
        id=state.next_id("issue"), project_id=project.id, tracker_id=tracker.id,
        status_id=tracker.default_status_id, priority_id=priority, author_id=call.user.id,
        assigned_to_id=assignee, subject=summary,
        description=to_text(fields.get("description")), created_on=now, updated_on=now))
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


@router.route("POST", "/rest/api/3/issue/{issue}/comment")
def add_comment(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    body = call.body.get("body")
    if not is_document(body) or not to_text(body).strip():
        raise error(400, comment="Comment body can not be empty!")
    journal = call.state.update_issue(issue, call.user.id, to_text(body), {})
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
