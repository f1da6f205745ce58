"""ZenTao's products, projects and bugs (the queue's tickets).

Shapes follow ``bugs.php`` (``GET /products/:id/bugs`` pages bugs with ``status`` a
code and ``statusName`` beside it, users formatted as ``{id, account, avatar,
realname}``), ``bug.php`` (one bug with its ``actions``: the history and comments)
and ``bugassign.php``, ``bugresolve.php``, ``bugclose.php``, ``bugactive.php``
(POST with ``assignedTo``/``resolution``/``comment``; each answers the bug after).
Each simulated project is both a ZenTao product and project, with the same id.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.common import iso
from pmcockpit.sim.dialects.zentao.core import Call, error, listing, router, user_ref
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import PROJECT_ACTIVE, PROJECT_ARCHIVED, Issue, Project
from pmcockpit.sim.state import ToolState

STATUS_NAMES = {"active": "激活", "resolved": "已解决", "closed": "已关闭"}
# The shared records keep Redmine's statuses; ZenTao's three map onto them.
STATUS_RECORD = {"active": "New", "resolved": "Resolved", "closed": "Closed"}
PRIORITY = {"Immediate": 1, "Urgent": 1, "High": 2, "Normal": 3, "Low": 4}
RESOLUTIONS = ("bydesign", "duplicate", "external", "fixed", "notrepro", "postponed",
               "willnotfix", "tostory")


def bug_status(state: ToolState, issue: Issue) -> str:
    status = state.statuses[issue.status_id]
    if status.is_closed:
        return "closed"
    return "resolved" if status.name == "Resolved" else "active"


def _project_status(project: Project) -> str:
    return "doing" if project.status == PROJECT_ACTIVE else "closed"


def _projects(call: Call) -> list[Project]:
    return sorted((p for p in call.state.projects.values() if p.status != PROJECT_ARCHIVED),
                  key=lambda p: p.id, reverse=True)


@router.route("GET", "/projects")
def list_projects(call: Call, _: dict[str, str]) -> SimResponse:
    items = [{"id": p.id, "name": p.name, "code": p.identifier, "model": "scrum",
              "type": "project", "parent": p.parent_id or 0, "status": _project_status(p),
              "openedDate": iso(p.created_on), "lastEditedDate": iso(p.updated_on),
              "desc": p.description, "deleted": False} for p in _projects(call)]
    return listing(call, "projects", items)


@router.route("GET", "/products")
def list_products(call: Call, _: dict[str, str]) -> SimResponse:
    items = [{"id": p.id, "name": p.name, "code": p.identifier,
              "status": "normal" if p.status == PROJECT_ACTIVE else "closed",
              "createdDate": iso(p.created_on)} for p in _projects(call)]
    return listing(call, "products", items)


def bug_json(state: ToolState, issue: Issue) -> dict[str, Any]:
    status = bug_status(state, issue)
    return {
        "id": issue.id, "product": issue.project_id, "project": issue.project_id,
        "title": issue.subject, "steps": issue.description or "",
        "status": status, "statusName": STATUS_NAMES[status],
        "pri": PRIORITY.get(state.priorities[issue.priority_id].name, 3), "severity": 3,
        "type": "codeerror", "openedBy": user_ref(state, issue.author_id),
        "openedDate": iso(issue.created_on),
        "assignedTo": user_ref(state, issue.assigned_to_id),
        "lastEditedDate": iso(issue.updated_on), "closedDate": iso(issue.closed_on),
        "deleted": False,
    }


def _find_bug(call: Call, ref: str) -> Issue:
    issue = call.state.issues.get(int(ref))
    if issue is None:
        raise error(404, "404 Not found")
    return issue


@router.route("GET", "/products/{id:int}/bugs")
def list_bugs(call: Call, params: dict[str, str]) -> SimResponse:
    product_id = int(params["id"])
    if product_id not in call.state.projects:
        raise error(400, "error")
    wanted = call.arg("status") or "unclosed"
    bugs = sorted((i for i in call.state.issues.values() if i.project_id == product_id),
                  key=lambda i: i.id, reverse=True)
    if wanted == "unclosed":
        bugs = [b for b in bugs if bug_status(call.state, b) != "closed"]
    return listing(call, "bugs", [bug_json(call.state, b) for b in bugs])


@router.route("GET", "/bugs/{id:int}")
def show_bug(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_bug(call, params["id"])
    data = bug_json(call.state, issue)
    data["actions"] = [
        {"id": j.id, "objectType": "bug", "objectID": issue.id,
         "action": "commented" if not j.details else "edited",
         "actor": user_ref(call.state, j.user_id), "date": iso(j.created_on),
         "comment": j.notes} for j in issue.journals]
    return json_response(200, data)


def _change(call: Call, issue: Issue, changes: dict[str, int | str | None]) -> SimResponse:
    comment = str(call.body.get("comment") or "")
    call.state.update_issue(issue, call.user.id, comment, changes)
    return json_response(200, bug_json(call.state, issue))


def _status_id(state: ToolState, code: str) -> int:
    name = STATUS_RECORD[code]
    return next(s.id for s in state.statuses.values() if s.name == name)


def _assignee(call: Call, account: Any) -> int | None:
    if account in (None, ""):
        return None
    user = call.state.user_by_login(str(account))
    if user is None:
        raise error(400, f"assignedTo: {account} does not exist")
    return user.id


@router.route("POST", "/bugs/{id:int}/assign")
def assign_bug(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_bug(call, params["id"])
    return _change(call, issue, {"assigned_to_id": _assignee(call, call.body.get("assignedTo"))})


@router.route("POST", "/bugs/{id:int}/resolve")
def resolve_bug(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_bug(call, params["id"])
    if call.body.get("resolution") not in RESOLUTIONS:
        raise error(400, "『解决方案』不能为空。")
    if bug_status(call.state, issue) != "active":
        raise error(400, "该Bug已经被解决。")
    return _change(call, issue, {"status_id": _status_id(call.state, "resolved"),
                                 "assigned_to_id": issue.author_id})


@router.route("POST", "/bugs/{id:int}/close")
def close_bug(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_bug(call, params["id"])
    return _change(call, issue, {"status_id": _status_id(call.state, "closed"),
                                 "assigned_to_id": None})


@router.route("POST", "/bugs/{id:int}/active")
def activate_bug(call: Call, params: dict[str, str]) -> SimResponse:
    issue = _find_bug(call, params["id"])
    changes: dict[str, int | str | None] = {"status_id": _status_id(call.state, "active")}
    if call.body.get("assignedTo"):
        changes["assigned_to_id"] = _assignee(call, call.body["assignedTo"])
    return _change(call, issue, changes)
