"""Editing a Jira issue (``PUT /issue/{key}``) and the lists a client reads to do it:
fields, priorities, statuses.

An edit sets values through ``fields`` (``{"summary": "..."}``) or applies operations
through ``update`` (``{"labels": [{"add": "x"}, {"remove": "y"}]}``); a field the
edit screen does not have is refused per field, with Jira's wording, and nothing
is changed. The answer is 204, or the issue with ``returnIssue=true``.
"""

from __future__ import annotations

from typing import Any

from pmcockpit.sim.dialects.jira.core import (
    JiraCall,
    error,
    find_account,
    find_issue,
    router,
)
from pmcockpit.sim.dialects.jira.issues import issue_json, status_json
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import USER_ACTIVE, Issue

EDITABLE = ("summary", "description", "labels", "priority", "assignee")
NOT_ON_SCREEN = "Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
SYSTEM_FIELDS = [  # (id, name, schema type, JQL clause names, orderable, searchable)
    ("summary", "Summary", "string", ["summary"], True, True),
    ("description", "Description", "string", ["description"], True, True),
    ("status", "Status", "status", ["status"], False, True),
    ("statusCategory", "Status Category", "statusCategory", ["statusCategory"], False, True),
    ("priority", "Priority", "priority", ["priority"], True, True),
    ("issuetype", "Issue Type", "issuetype", ["issuetype", "type"], True, True),
    ("project", "Project", "project", ["project"], False, True),
    ("assignee", "Assignee", "user", ["assignee"], True, True),
    ("reporter", "Reporter", "user", ["reporter"], True, True),
    ("creator", "Creator", "user", ["creator"], False, True),
    ("labels", "Labels", "array", ["labels"], True, True),
    ("created", "Created", "datetime", ["created", "createdDate"], False, True),
    ("updated", "Updated", "datetime", ["updated", "updatedDate"], False, True),
    ("resolutiondate", "Resolved", "datetime", ["resolutiondate", "resolved"], False, True),
    ("comment", "Comment", "comments-page", ["comment"], True, True),
    ("issuekey", "Key", "string", ["id", "issue", "issuekey", "key"], False, True),
]


@router.route("GET", "/rest/api/3/field")
def list_fields(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return json_response(200, [{
        "id": field_id, "key": field_id, "name": name, "custom": False,
        "orderable": orderable, "navigable": True, "searchable": searchable,
        "clauseNames": clauses,
        "schema": {"type": kind, "system": field_id, **({"items": "string"}
                                                          if kind == "array" else {})},
    } for field_id, name, kind, clauses, orderable, searchable in SYSTEM_FIELDS])


@router.route("GET", "/rest/api/3/priority")
def list_priorities(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return json_response(200, [{
        "self": f"{call.base_url}/rest/api/3/priority/{p.id}", "id": str(p.id), "name": p.name,
        "description": p.name, "statusColor": "#ffab00", "isDefault": p.is_default,
        "iconUrl": f"{call.base_url}/images/icons/priorities/{p.name.lower()}.svg",
    } for p in sorted(call.state.priorities.values(), key=lambda p: -p.id)])


@router.route("GET", "/rest/api/3/status")
def list_statuses(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return json_response(200, [status_json(call, s) for s in call.state.statuses.values()])


def _priority(call: JiraCall, value: Any) -> int:
    wanted = value if isinstance(value, dict) else {}
    found = next((p.id for p in call.state.priorities.values()
                  if str(p.id) == str(wanted.get("id")) or p.name == wanted.get("name")), None)
    if found is None:
        raise error(400, priority="Specify the Priority (id or name) in the proper format")
    return found


def _assignee(call: JiraCall, value: Any) -> int | None:
    if value is None:
        return None
    wanted = value.get("accountId") if isinstance(value, dict) else None
    user = find_account(call.state, str(wanted or ""))
    if user is None or user.status != USER_ACTIVE:
        raise error(400, assignee=f"User '{wanted}' cannot be assigned issues.")
    return user.id


def _labels(current: list[str], operations: Any) -> list[str]:
    labels = list(current)
    if operations is None:
        return labels
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise error(400, labels="Operations are objects like {\"add\": \"label\"}.")
    for operation in operations:
        for verb, value in operation.items():
            values = value if isinstance(value, list) else [value]
            if verb == "set":
                labels = [str(v) for v in values]
            elif verb == "add":
                labels += [str(v) for v in values if str(v) not in labels]
            elif verb == "remove":
                labels = [label for label in labels if label not in map(str, values)]
    return labels


def _changes(call: JiraCall, issue: Issue) -> tuple[dict[str, Any], list[str], str]:
    """(attribute changes, labels, comment) the edit asks for; 400 for what it cannot."""
    fields = call.body.get("fields") or {}
    update = call.body.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise error(400, "Can not deserialize the edit: fields and update are objects.")
    unknown = [name for name in [*fields, *update] if name not in (*EDITABLE, "comment")]
    if unknown:
        raise error(400, **{name: NOT_ON_SCREEN.format(name=name) for name in unknown})
    changes: dict[str, Any] = {}
    if "summary" in fields:
        summary = str(fields["summary"] or "").strip()
        if not summary:
            raise error(400, summary="You must specify a summary of the issue.")
        changes["subject"] = summary
    if "description" in fields:
        text = "" if fields["description"] is None else call.text_of(fields["description"])
        if text is None:
            raise error(400, description="Operation value must be an Atlassian Document.")
        changes["description"] = text
    if "priority" in fields:
        changes["priority_id"] = _priority(call, fields["priority"])
    if "assignee" in fields:
        changes["assigned_to_id"] = _assignee(call, fields["assignee"])
    labels = [str(v) for v in fields["labels"]] if isinstance(fields.get("labels"), list) \
        else list(issue.labels)
    labels = _labels(labels, update.get("labels"))
    comments = [call.text_of(op.get("add", {}).get("body")) for op in update.get("comment") or []
                if isinstance(op, dict) and isinstance(op.get("add"), dict)]
    return changes, labels, "\n\n".join(c for c in comments if c)


@router.route("PUT", "/rest/api/3/issue/{issue}")
def edit_issue(call: JiraCall, params: dict[str, str]) -> SimResponse:
    issue = find_issue(call, params["issue"])
    changes, labels, comment = _changes(call, issue)
    if labels != issue.labels:  # a label change is history, not a comment
        issue.labels = labels
        issue.updated_on = call.state.clock()
    call.state.update_issue(issue, call.user.id, comment, changes)
    if (call.arg("returnIssue") or "").lower() == "true":
        return json_response(200, issue_json(call, issue, {"*all"}))
    return empty_response(204)
