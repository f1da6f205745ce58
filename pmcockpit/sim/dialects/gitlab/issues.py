"""GitLab issues and their notes.

An issue is ``opened`` or ``closed``; the shared state's finer statuses, tracker
and priority show as labels (``workflow::in progress``, ``support``,
``priority::high``). Issues are addressed by project and ``iid``; ``/issues/:id``
(the global id) is for administrators. Notes are the journals: a comment is a
note, a change of state or assignee a system note (``"system": true``). An
assignee without access to the project is dropped silently, as GitLab does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pmcockpit.sim.dialects.common import abort_json, to_int
from pmcockpit.sim.dialects.gitlab.access import (
    find_project,
    is_archived,
    may_manage,
    project_levels,
)
from pmcockpit.sim.dialects.gitlab.core import (
    Call,
    iso,
    not_found,
    paged,
    router,
    user_basic,
)
from pmcockpit.sim.dialects.gitlab.facts import project_path
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import Issue, Journal, Project

SYSTEM_NOTE_OFFSET = 1_000_000_000
"""System notes get ids of their own, above every comment's."""


def _name(items: dict[int, Any], item_id: int) -> str:
    return str(items[item_id].name)


def labels(call: Call, issue: Issue) -> list[str]:
    state = call.state
    found = [_name(state.trackers, issue.tracker_id).lower(),
             f"priority::{_name(state.priorities, issue.priority_id).lower()}"]
    status = _name(state.statuses, issue.status_id)
    if status not in ("New", "Closed"):
        found.append(f"workflow::{status.lower()}")
    return sorted(found)


def is_closed(call: Call, issue: Issue) -> bool:
    return call.state.statuses[issue.status_id].is_closed


def issue_json(call: Call, issue: Issue) -> dict[str, Any]:
    state, facts = call.state, call.facts
    project = state.projects[issue.project_id]
    iid, path = facts.iid(issue), project_path(facts, project)
    assignees = [user_basic(call, state.users[issue.assigned_to_id])] \
        if issue.assigned_to_id in state.users else []
    author = state.users.get(issue.author_id)
    closer = next((j.user_id for j in reversed(issue.journals)
                   if any(d.name == "status_id" for d in j.details)), None)
    api = f"{call.base_url}/api/v4/projects/{project.id}/issues/{iid}"
    closed = is_closed(call, issue)
    return {
        "id": issue.id, "iid": iid, "project_id": project.id, "title": issue.subject,
        "description": issue.description, "state": "closed" if closed else "opened",
        "created_at": iso(issue.created_on), "updated_at": iso(issue.updated_on),
        "closed_at": iso(issue.closed_on) if closed else None,
        "closed_by": user_basic(call, state.users[closer])
        if closed and closer in state.users else None,
        "labels": labels(call, issue), "milestone": None, "assignees": assignees,
        "assignee": assignees[0] if assignees else None, "type": "ISSUE",
        "author": user_basic(call, author) if author else None,
        "user_notes_count": sum(1 for j in issue.journals if j.notes),
        "merge_requests_count": 0, "upvotes": 0, "downvotes": 0, "due_date": None,
        "confidential": False, "discussion_locked": None, "issue_type": "issue",
        "web_url": f"{call.base_url}/{path}/-/issues/{iid}",
        "time_stats": {"time_estimate": 0, "total_time_spent": 0,
                       "human_time_estimate": None, "human_total_time_spent": None},
        "task_completion_status": {"count": 0, "completed_count": 0},
        "references": {"short": f"#{iid}", "relative": f"#{iid}", "full": f"{path}#{iid}"},
        "severity": "UNKNOWN", "moved_to_id": None,
        "_links": {"self": api, "notes": f"{api}/notes", "project":
                   f"{call.base_url}/api/v4/projects/{project.id}"},
    }


def _visible_projects(call: Call) -> Callable[[Project], bool]:
    seen: dict[int, bool] = {}

    def visible(project: Project) -> bool:
        if project.id not in seen:
            seen[project.id] = call.user.admin or project.is_public or call.user.id in \
                project_levels(call.state, call.facts, project)
        return seen[project.id]

    return visible


def _updated_between(call: Call) -> Callable[[Issue], bool]:
    """GitLab's ``updated_after`` / ``updated_before`` (ISO 8601, both inclusive)."""
    bounds = []
    for name in ("updated_after", "updated_before"):
        value = call.arg(name)
        try:
            bounds.append(datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                          .astimezone(UTC) if value else None)
        except ValueError:
            raise abort_json(400, {"error": f"{name} is invalid"}) from None
    after, before = bounds
    return lambda issue: ((after is None or issue.updated_on.astimezone(UTC) >= after)
                          and (before is None or issue.updated_on.astimezone(UTC) <= before))


def _matching(call: Call, project: Project | None) -> list[Issue]:
    wanted_state = str(call.arg("state") or "all")
    wanted_labels = {x.strip() for x in str(call.arg("labels") or "").split(",") if x.strip()}
    scope = str(call.arg("scope") or ("all" if project else "created_by_me"))
    skip_archived = project is None and call.flag("non_archived") is not False
    visible = _visible_projects(call)
    found = []
    for issue in call.state.issues.values():
        owner = call.state.projects[issue.project_id]
        if (project is not None and owner.id != project.id) or not visible(owner):
            continue
        if skip_archived and is_archived(owner):
            continue
        state = "closed" if is_closed(call, issue) else "opened"
        if wanted_state != "all" and state != wanted_state:
            continue
        if wanted_labels and not wanted_labels <= set(labels(call, issue)):
            continue
        if scope == "created_by_me" and issue.author_id != call.user.id:
            continue
        if scope == "assigned_to_me" and issue.assigned_to_id != call.user.id:
            continue
        found.append(issue)
    found = list(filter(_updated_between(call), found))
    field = "updated_on" if call.arg("order_by") == "updated_at" else "created_on"
    found.sort(key=lambda i: (getattr(i, field), i.id), reverse=call.arg("sort") != "asc")
    return found


@router.route("GET", "/issues")
def list_issues(call: Call, _: dict[str, str]) -> SimResponse:
    return paged(call, _matching(call, None), lambda i: issue_json(call, i))


@router.route("GET", "/projects/{id:int}/issues")
def list_project_issues(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    return paged(call, _matching(call, project), lambda i: issue_json(call, i))


@router.route("GET", "/issues/{id:int}")
def show_issue_by_id(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    issue = call.state.issues.get(int(params["id"]))
    if issue is None:
        raise not_found()
    return json_response(200, issue_json(call, issue))


def find_issue(call: Call, project_id: str, iid: str) -> tuple[Project, Issue]:
    project = find_project(call, project_id)
    issue_id = call.facts.by_iid.get((project.id, int(iid)))
    if issue_id is None or issue_id not in call.state.issues:
        raise not_found()
    return project, call.state.issues[issue_id]


@router.route("GET", "/projects/{id:int}/issues/{iid:int}")
def show_issue(call: Call, params: dict[str, str]) -> SimResponse:
    _, issue = find_issue(call, params["id"], params["iid"])
    return json_response(200, issue_json(call, issue))


def _status_id(call: Call, name: str) -> int:
    return next(s.id for s in call.state.statuses.values() if s.name == name)


def _priority_from(call: Call, given: Any) -> int | None:
    for label in str(given or "").split(","):
        scope, _, value = label.strip().partition("::")
        if scope.lower() == "priority":
            return next((p.id for p in call.state.priorities.values()
                         if p.name.lower() == value.lower()), None)
    return None


def _assignee(call: Call, project: Project) -> int | None:
    """The assignee asked for: ``assignee_ids`` (first) or ``assignee_id``; 0 or [] is none."""
    given = call.arg("assignee_ids")
    if given is None:
        given = call.arg("assignee_id")
    first = given[0] if isinstance(given, list) and given else given
    user_id = to_int(first) if not isinstance(first, list) else None
    if not user_id or user_id not in call.state.users:
        return None
    allowed = project.is_public or user_id in project_levels(call.state, call.facts, project)
    return user_id if allowed else None


@router.route("POST", "/projects/{id:int}/issues")
def create_issue(call: Call, params: dict[str, str]) -> SimResponse:
    project = find_project(call, params["id"])
    may_manage(call, project, issues=True)
    call.require("title")
    state, now = call.state, call.state.clock()
    default_priority = next(p.id for p in state.priorities.values() if p.is_default)
    issue = state.add_issue(Issue(
        id=state.next_id("issue"), project_id=project.id, tracker_id=next(iter(state.trackers)),
        status_id=_status_id(call, "New"),
        priority_id=_priority_from(call, call.arg("labels")) or default_priority,
        author_id=call.user.id, assigned_to_id=_assignee(call, project),
        subject=str(call.arg("title")), description=str(call.arg("description") or ""),
        created_on=now, updated_on=now,
    ))
    return json_response(201, issue_json(call, issue))


@router.route("PUT", "/projects/{id:int}/issues/{iid:int}")
def update_issue(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    may_manage(call, project, issues=True)
    changes: dict[str, int | str | None] = {}
    event = call.arg("state_event")
    if event == "close" and not is_closed(call, issue):
        changes["status_id"] = _status_id(call, "Closed")
    elif event == "reopen" and is_closed(call, issue):
        changes["status_id"] = _status_id(call, "New")
    if "assignee_ids" in call.params or "assignee_id" in call.params:
        changes["assigned_to_id"] = _assignee(call, project)
    for name, field in (("title", "subject"), ("description", "description")):
        if call.arg(name) is not None:
            changes[field] = str(call.arg(name))
    call.state.update_issue(issue, call.user.id, "", changes)
    return json_response(200, issue_json(call, issue))


# Notes ----------------------------------------------------------------------------------


def _status_text(call: Call, old: str | None, new: str) -> str:
    statuses = call.state.statuses
    status = statuses[int(new)]
    if status.is_closed:
        return "closed"
    if old is not None and statuses[int(old)].is_closed:
        return "reopened"
    return f'added ~"workflow::{status.name.lower()}" label'


def _system_text(call: Call, journal: Journal) -> str:
    texts = []
    for detail in journal.details:
        if detail.name == "status_id" and detail.new_value:
            texts.append(_status_text(call, detail.old_value, detail.new_value))
        elif detail.name == "assigned_to_id":
            user = call.state.users.get(to_int(detail.new_value) or 0)
            texts.append(f"assigned to @{user.login}" if user else "removed assignee")
        else:
            texts.append(f"changed {detail.name.removesuffix('_id')}")
    return " and ".join(texts)


def notes_of(call: Call, project: Project, issue: Issue) -> list[dict[str, Any]]:
    """The issue's notes, oldest first: for each journal its comment, then its changes."""
    notes = []
    for journal in issue.journals:
        author = call.state.users.get(journal.user_id)
        base = {"attachment": None, "author": user_basic(call, author) if author else None,
                "created_at": iso(journal.created_on), "updated_at": iso(journal.created_on),
                "noteable_id": issue.id, "noteable_type": "Issue", "project_id": project.id,
                "noteable_iid": call.facts.iid(issue), "resolvable": False,
                "confidential": False, "internal": False, "imported": False,
                "imported_from": "none"}
        if journal.notes:
            notes.append({"id": journal.id, "type": None, "body": journal.notes,
                          "system": False, **base})
        if journal.details:
            notes.append({"id": SYSTEM_NOTE_OFFSET + journal.id, "type": None,
                          "body": _system_text(call, journal), "system": True, **base})
    return notes


@router.route("GET", "/projects/{id:int}/issues/{iid:int}/notes")
def list_notes(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    notes = notes_of(call, project, issue)
    key = "updated_at" if call.arg("order_by") == "updated_at" else "created_at"
    notes.sort(key=lambda n: (n[key], n["id"]), reverse=call.arg("sort") != "asc")
    return paged(call, notes, lambda n: n)


@router.route("POST", "/projects/{id:int}/issues/{iid:int}/notes")
def add_note(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    if is_archived(project):
        raise not_found()
    call.require("body")
    journal = call.state.update_issue(issue, call.user.id, str(call.arg("body")), {})
    note = next(n for n in notes_of(call, project, issue) if journal and n["id"] == journal.id)
    return json_response(201, note)
