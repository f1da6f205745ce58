"""GitLab issues (their notes and labels are in ``notes``).

An issue is ``opened`` or ``closed``; the shared state's finer statuses, tracker
and priority show as labels (``workflow::in progress``, ``support``,
``priority::high``). Issues are addressed by project and ``iid``; ``/issues/:id``
(the global id) is for administrators. Labels set with ``labels``, ``add_labels``
and ``remove_labels`` are kept beside those that show the fields. An assignee
without access to the project is dropped silently, as GitLab does.
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
from pmcockpit.sim.dialects.gitlab.facts import LabelEvent, project_path
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import Issue, Project


def _name(items: dict[int, Any], item_id: int) -> str:
    return str(items[item_id].name)


def derived_labels(call: Call, issue: Issue) -> list[str]:
    """The labels the shared state's tracker, priority and status show as."""
    state = call.state
    found = [_name(state.trackers, issue.tracker_id).lower(),
             f"priority::{_name(state.priorities, issue.priority_id).lower()}"]
    status = _name(state.statuses, issue.status_id)
    if status not in ("New", "Closed"):
        found.append(f"workflow::{status.lower()}")
    return found


def labels(call: Call, issue: Issue) -> list[str]:
    return sorted({*derived_labels(call, issue), *issue.labels})


def _split(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _set_labels(call: Call, issue: Issue) -> bool:
    """``labels`` (replaces), ``add_labels``, ``remove_labels``: True when they changed.
    The labels that show the tracker, priority and status stay (they are its fields);
    a label change is a label event, not a note."""
    current = list(issue.labels)
    derived = set(derived_labels(call, issue))
    if call.arg("labels") is not None:
        current = [label for label in _split(call.arg("labels")) if label not in derived]
    current += [label for label in _split(call.arg("add_labels"))
                if label not in current and label not in derived]
    removed = set(_split(call.arg("remove_labels")))
    current = [label for label in current if label not in removed]
    if current == issue.labels:
        return False
    now = call.state.clock()
    for label in issue.labels:
        if label not in current:
            call.facts.label_events.append(LabelEvent(issue.id, call.user.id, label, "remove",
                                                      now))
    for label in current:
        if label not in issue.labels:
            call.facts.label_events.append(LabelEvent(issue.id, call.user.id, label, "add", now))
    issue.labels = current
    return True


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
        subject=str(call.arg("title")),
        description=None if call.arg("description") is None else str(call.arg("description")),
        created_on=now, updated_on=now,
    ))
    _set_labels(call, issue)
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
    if _set_labels(call, issue):
        issue.updated_on = call.state.clock()
    call.state.update_issue(issue, call.user.id, "", changes)
    return json_response(200, issue_json(call, issue))
