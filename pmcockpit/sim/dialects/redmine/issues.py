"""Redmine issues endpoints and the lists issues refer to (statuses, trackers, priorities).

``/issues.json`` lists open issues unless ``status_id`` says ``closed``, ``*`` or
ids; ``project_id`` includes subprojects; the default order is newest id first.
An update's notes and attribute changes become one journal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

from pmcockpit.sim.dialects.common import abort, abort_json, iso, to_int
from pmcockpit.sim.dialects.redmine.core import (
    Call,
    errors,
    find_project,
    listing,
    principal_ref,
    ref,
    router,
)
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import PROJECT_ARCHIVED, Issue, Journal, Project
from pmcockpit.sim.state import ToolState

SORT_KEYS: dict[str, Callable[[ToolState, Issue], Any]] = {
    "id": lambda s, i: i.id,
    "created_on": lambda s, i: i.created_on,
    "updated_on": lambda s, i: i.updated_on,
    "subject": lambda s, i: i.subject.lower(),
    "priority": lambda s, i: i.priority_id,
    "status": lambda s, i: i.status_id,
    "tracker": lambda s, i: i.tracker_id,
    "assigned_to": lambda s, i: principal_ref(s, i.assigned_to_id)["name"].lower()
    if i.assigned_to_id else "",
}
UPDATABLE = ("subject", "description", "status_id", "priority_id", "assigned_to_id")


def journal_json(state: ToolState, journal: Journal) -> dict[str, Any]:
    return {
        "id": journal.id, "user": principal_ref(state, journal.user_id),
        "notes": journal.notes, "created_on": iso(journal.created_on), "private_notes": False,
        "details": [{"property": d.property, "name": d.name, "old_value": d.old_value,
                     "new_value": d.new_value} for d in journal.details],
    }


def issue_json(state: ToolState, issue: Issue, with_journals: bool = False) -> dict[str, Any]:
    project = state.projects[issue.project_id]
    tracker = state.trackers[issue.tracker_id]
    status = state.statuses[issue.status_id]
    priority = state.priorities[issue.priority_id]
    data: dict[str, Any] = {
        "id": issue.id, "project": ref(project.id, project.name),
        "tracker": ref(tracker.id, tracker.name),
        "status": {"id": status.id, "name": status.name, "is_closed": status.is_closed},
        "priority": ref(priority.id, priority.name),
        "author": principal_ref(state, issue.author_id),
    }
    if issue.assigned_to_id is not None:
        data["assigned_to"] = principal_ref(state, issue.assigned_to_id)
    data.update({
        "subject": issue.subject, "description": issue.description,
        "start_date": issue.created_on.date().isoformat(), "due_date": None, "done_ratio": 0,
        "is_private": False, "estimated_hours": None, "total_estimated_hours": None,
        "spent_hours": 0.0, "total_spent_hours": 0.0,
        "created_on": iso(issue.created_on), "updated_on": iso(issue.updated_on),
        "closed_on": iso(issue.closed_on),
    })
    if with_journals:
        data["journals"] = [journal_json(state, j) for j in issue.journals]
    return data


def _subtree(state: ToolState, root: Project) -> set[int]:
    ids, frontier = {root.id}, [root.id]
    while frontier:
        parent = frontier.pop()
        children = [p.id for p in state.projects.values() if p.parent_id == parent]
        ids.update(children)
        frontier += children
    return ids


def _principal_filter(call: Call, name: str) -> Callable[[int | None], bool] | None:
    value = call.arg(name)
    if value is None or value == "":
        return None
    if value == "*":
        return lambda v: v is not None
    if value == "!*":
        return lambda v: v is None
    wanted = {call.user.id if part == "me" else to_int(part) for part in value.split("|")}
    return lambda v: v in wanted


def _status_filter(state: ToolState, value: str) -> Callable[[int], bool]:
    closed_ids = {s.id for s in state.statuses.values() if s.is_closed}
    if value == "open":
        return lambda status: status not in closed_ids
    if value == "closed":
        return lambda status: status in closed_ids
    if value == "*":
        return lambda status: True
    wanted = {to_int(part) for part in value.split("|")}
    return lambda status: status in wanted


def _matching_issues(call: Call, project_ref: str | None) -> list[Issue]:
    state = call.state
    wanted = _issue_filter(call, project_ref)
    visible: dict[int, bool] = {}
    result = []
    for issue in state.issues.values():
        if not wanted(issue):
            continue
        if issue.project_id not in visible:
            project = state.projects[issue.project_id]
            visible[issue.project_id] = (project.status != PROJECT_ARCHIVED
                                         and call.allowed(project, "view_issues"))
        if visible[issue.project_id]:
            result.append(issue)
    for part in reversed((call.arg("sort") or "id:desc").split(",")):
        field, _, direction = part.strip().partition(":")
        if field in SORT_KEYS:
            result.sort(key=partial(SORT_KEYS[field], state), reverse=direction == "desc")
    return result


def _moment(text: str, *, end_of_day: bool = False) -> datetime:
    """A filter's time: ``2026-03-01T08:12:32Z``, or a day (its start, or its end)."""
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    day = datetime.combine(datetime.fromisoformat(text).date(), time(), tzinfo=UTC)
    return day + timedelta(days=1, microseconds=-1) if end_of_day else day


def _updated_filter(value: str) -> Callable[[Issue], bool]:
    """Redmine's ``updated_on`` filter: ``>=T``, ``<=T``, ``><T1|T2`` or a day."""
    try:
        if value.startswith(">="):
            low, high = _moment(value[2:]), datetime.max.replace(tzinfo=UTC)
        elif value.startswith("<="):
            low, high = datetime.min.replace(tzinfo=UTC), _moment(value[2:], end_of_day=True)
        elif value.startswith("><"):
            first, _sep, last = value[2:].partition("|")
            low, high = _moment(first), _moment(last, end_of_day=True)
        else:
            low, high = _moment(value), _moment(value, end_of_day=True)
    except ValueError:
        raise abort_json(422, {"errors": ["Updated is invalid"]}) from None
    return lambda issue: low <= issue.updated_on.astimezone(UTC) <= high


def _issue_filter(call: Call, project_ref: str | None) -> Callable[[Issue], bool]:
    """The query's filters (project subtree, status, people, tracker, priority) as one test."""
    state = call.state
    projects = None
    if project_ref:
        projects = _subtree(state, find_project(call, project_ref, "view_issues"))
    status_ok = _status_filter(state, call.arg("status_id") or "open")
    assignee_ok = _principal_filter(call, "assigned_to_id")
    author_ok = _principal_filter(call, "author_id")
    tracker, priority = to_int(call.arg("tracker_id")), to_int(call.arg("priority_id"))
    tests: list[Callable[[Issue], bool]] = [lambda issue: status_ok(issue.status_id)]
    if projects is not None:
        tests.append(lambda issue: issue.project_id in projects)
    if assignee_ok:
        tests.append(lambda issue: assignee_ok(issue.assigned_to_id))
    if author_ok:
        tests.append(lambda issue: author_ok(issue.author_id))
    if tracker:
        tests.append(lambda issue: issue.tracker_id == tracker)
    if priority:
        tests.append(lambda issue: issue.priority_id == priority)
    updated = call.arg("updated_on")
    if updated:
        tests.append(_updated_filter(updated))
    return lambda issue: all(test(issue) for test in tests)


@router.route("GET", "/issues.json")
@router.route("GET", "/projects/{project}/issues.json")
def list_issues(call: Call, params: dict[str, str]) -> SimResponse:
    project_ref = params.get("project") or call.arg("project_id")
    key = ("issues", str(call.user.id), f"project={project_ref}", *sorted(
        f"{k}={v}" for k, v in call.request.query.items()
        if k not in ("offset", "limit", "page", "project_id")))
    issues = call.state.read_cache.get(key)
    if issues is None:
        issues = _matching_issues(call, project_ref)
        call.state.read_cache[key] = issues
    offset, limit = call.offset_and_limit()
    items = [issue_json(call.state, i) for i in issues[offset:offset + limit]]
    return listing("issues", items, len(issues), offset, limit)


def _find_issue(call: Call, issue_id: str, permission: str) -> Issue:
    issue = call.state.issues.get(int(issue_id))
    if issue is None:
        raise abort(404)
    if not call.allowed(call.state.projects[issue.project_id], permission):
        raise abort(403)
    return issue


@router.route("GET", "/issues/{id:int}.json")
def show_issue(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_issue(call, params["id"], "view_issues")
    with_journals = "journals" in call.includes()
    return json_response(200, {"issue": issue_json(call.state, issue, with_journals)})


def _assignable(state: ToolState, project: Project, principal_id: int) -> bool:
    member = state.member_of(project.id, principal_id)
    if member is None:
        return False
    return any(state.roles[g.role_id].assignable for g in member.grants if g.role_id in state.roles)


def _checked_changes(call: Call, project: Project | None, fields: dict[str, Any],
                     problems: list[str] | None = None) -> dict[str, Any]:
    """The attribute changes asked for, in Redmine's validation terms: 422 with every
    problem found (``problems`` come first: those the caller found)."""
    state = call.state
    changes: dict[str, Any] = {}
    problems = list(problems or [])
    if "subject" in fields:
        changes["subject"] = str(fields["subject"] or "").strip()
        if not changes["subject"]:
            problems.append("Subject cannot be blank")
    if "description" in fields:
        given_text = fields["description"]
        changes["description"] = None if given_text is None else str(given_text)
    for name, known, label in (("status_id", state.statuses, "Status"),
                               ("priority_id", state.priorities, "Priority"),
                               ("tracker_id", state.trackers, "Tracker")):
        if name in fields:
            value = to_int(fields[name])
            if value not in known:
                problems.append(f"{label} is invalid")
            changes[name] = value
    given = fields.get("assigned_to_id")
    if given is not None:  # null is ignored; "" clears the assignee
        assignee = None if given == "" else to_int(given)
        if given != "" and (assignee is None or project is None
                            or not _assignable(state, project, assignee)):
            problems.append("Assignee is invalid")
        changes["assigned_to_id"] = assignee
    if problems:
        raise errors(*dict.fromkeys(problems))  # each once, in the order found
    return changes


@router.route("POST", "/issues.json")
@router.route("POST", "/projects/{project}/issues.json")
def create_issue(call: Call, params: dict[str, str]) -> SimResponse:
    """A new issue; a missing subject, project, tracker or status are all reported at once,
    in the order of Issue's ``validates_presence_of`` (app/models/issue.rb: subject, project,
    tracker, then status, which comes from the tracker); a description not given stays null."""
    fields = call.section("issue")
    state = call.state
    project = state.project_by_ref(str(params.get("project") or fields.get("project_id") or ""))
    if project is not None and not call.allowed(project, "add_issues"):
        raise abort(403)
    missing = [] if str(fields.get("subject") or "").strip() else ["Subject cannot be blank"]
    if project is None:
        missing += ["Project cannot be blank", "Tracker cannot be blank",
                    "Status cannot be blank"]
    changes = _checked_changes(call, project, fields, missing)
    assert project is not None  # _checked_changes refused it otherwise
    tracker_id = changes.get("tracker_id") or next(iter(state.trackers))
    default_priority = next(p.id for p in state.priorities.values() if p.is_default)
    now = state.clock()
    issue = state.add_issue(Issue(
        id=state.next_id("issue"), project_id=project.id, tracker_id=tracker_id,
        status_id=changes.get("status_id") or state.trackers[tracker_id].default_status_id,
        priority_id=changes.get("priority_id") or default_priority, author_id=call.user.id,
        assigned_to_id=changes.get("assigned_to_id"), subject=changes["subject"],
        description=changes.get("description"), created_on=now, updated_on=now,
    ))
    return json_response(201, {"issue": issue_json(state, issue)},
                         {"Location": f"/issues/{issue.id}.json"})


@router.route("PUT", "/issues/{id:int}.json")
def update_issue(call: Call, params: dict[str, str]) -> SimResponse:
    fields = call.section("issue")  # {} when not sent as JSON: nothing changes
    notes = str(fields.get("notes") or "")
    changes = {k: v for k, v in fields.items() if k in UPDATABLE}
    permission = "edit_issues" if changes else "add_issue_notes"
    issue = _find_issue(call, params["id"], "view_issues")
    project = call.state.projects[issue.project_id]
    if (changes or notes) and not call.allowed(project, permission):
        raise abort(403)
    checked = _checked_changes(call, project, changes)
    call.state.update_issue(issue, call.user.id, notes, checked)
    return empty_response(204)


@router.route("DELETE", "/issues/{id:int}.json")
def delete_issue(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_issue(call, params["id"], "delete_issues")
    del call.state.issues[issue.id]
    return empty_response(204)


@router.route("GET", "/issue_statuses.json")
def list_statuses(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, {"issue_statuses": [
        {"id": s.id, "name": s.name, "is_closed": s.is_closed}
        for s in call.state.statuses.values()]})


@router.route("GET", "/trackers.json")
def list_trackers(call: Call, _: dict[str, str]) -> SimResponse:
    statuses = call.state.statuses
    return json_response(200, {"trackers": [
        {"id": t.id, "name": t.name,
         "default_status": ref(t.default_status_id, statuses[t.default_status_id].name),
         "description": None}
        for t in call.state.trackers.values()]})


@router.route("GET", "/enumerations/issue_priorities.json")
def list_priorities(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, {"issue_priorities": [
        {"id": p.id, "name": p.name, "is_default": p.is_default, "active": True}
        for p in call.state.priorities.values()]})
