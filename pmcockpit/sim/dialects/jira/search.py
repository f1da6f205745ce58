"""Jira's issue search: ``/search/jql`` and the older ``/search``, over the JQL of ``jql``.

``/search/jql`` (GET or POST) pages with an opaque ``nextPageToken`` and answers
only ids unless ``fields`` are asked for; it refuses a query without a restriction.
The older ``/search`` (deprecated, still answered) pages with ``startAt`` and gives
``total``. A query's matches are kept until the next write, for the following pages.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.jira.core import (
    ID_OFFSET,
    JiraCall,
    account_id,
    error,
    is_archived,
    project_keys,
    router,
)
from pmcockpit.sim.dialects.jira.issues import ISSUE_TYPES, issue_json
from pmcockpit.sim.dialects.jira.jql import (
    JqlError,
    Predicate,
    Query,
    Value,
    moment_of,
    parse,
    unknown_function,
)
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import Issue

SEARCH_PAGE_CAP = 100
UNBOUNDED = ("Unbounded JQL queries are not allowed here. Please add a search restriction "
             "to your query.")
DATE_FIELDS: dict[str, Callable[[Issue], datetime | None]] = {
    "created": lambda i: i.created_on, "updated": lambda i: i.updated_on,
    "resolved": lambda i: i.closed_on}
USER_FIELDS: dict[str, Callable[[Issue], int | None]] = {
    "assignee": lambda i: i.assigned_to_id, "reporter": lambda i: i.author_id,
    "creator": lambda i: i.author_id}
COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
CATEGORIES = {"done": "done", "3": "done", "to do": "new", "new": "new", "2": "new",
              "in progress": "indeterminate", "indeterminate": "indeterminate",
              "4": "indeterminate"}


class Matcher:
    """Turns a parsed query into a predicate on issues, resolving names in the state."""

    def __init__(self, call: JiraCall) -> None:
        self.call = call
        self.state = call.state

    def compile(self, node: Any) -> Predicate:
        kind = node[0]
        if kind in ("and", "or"):
            left, right = self.compile(node[1]), self.compile(node[2])
            if kind == "and":
                return lambda i: left(i) and right(i)
            return lambda i: left(i) or right(i)
        if kind == "not":
            inner = self.compile(node[1])
            return lambda i: not inner(i)
        _, name, operator, values = node
        if name in DATE_FIELDS:
            return self.dates(name, operator, values)
        if operator in ("~", "!~"):
            return self.text(name, operator, values)
        if operator not in ("=", "!="):
            raise JqlError(f"The operator '{operator}' is not supported by the '{name}' field.")
        extract, resolve = self.field(name)
        wanted = {resolve(v) for v in values if v.text is not None or v.function}
        empty = any(v.text is None and not v.function for v in values)

        def matches(issue: Issue) -> bool:
            have = extract(issue)
            hit = any(v in wanted for v in have) or (empty and not have)
            return hit if operator == "=" else bool(have) and not hit

        return matches

    def field(self, name: str) -> tuple[Callable[[Issue], list[Any]], Callable[[Value], Any]]:
        """How to read a field of an issue, and how to resolve a value to compare with it."""
        state = self.state
        if name in USER_FIELDS:
            read = USER_FIELDS[name]
            return (lambda i: [v] if (v := read(i)) is not None else []), \
                lambda v: self.user(name, v)
        simple: dict[str, Callable[[Issue], list[Any]]] = {
            "project": lambda i: [i.project_id], "key": lambda i: [i.id],
            "status": lambda i: [i.status_id], "priority": lambda i: [i.priority_id],
            "issuetype": lambda i: [i.tracker_id], "labels": lambda i: list(i.labels),
            "statuscategory": lambda i: [self.category(state.statuses[i.status_id].id)],
        }
        if name not in simple:
            raise JqlError(f"Field '{name}' does not exist or you do not have permission to "
                           "view it.")
        return simple[name], lambda v: self.resolve(name, v)

    def category(self, status_id: int) -> str:
        status = self.state.statuses[status_id]
        return "done" if status.is_closed else "new" if status.name == "New" else "indeterminate"

    def resolve(self, name: str, value: Value) -> Any:
        text = (value.text or "").strip()
        if value.function:
            raise JqlError(unknown_function(value.function))
        found = self.lookup(name, text)
        if found is None:
            raise JqlError(f"The value '{text}' does not exist for the field '{name}'.")
        return found

    def lookup(self, name: str, text: str) -> Any:
        state, lowered, number = self.state, text.lower(), to_int(text)
        if name == "labels":
            return text
        if name == "statuscategory":
            return CATEGORIES.get(lowered)
        if name == "project":
            keys = project_keys(state)
            return next((p.id for p in state.projects.values() if not is_archived(p) and (
                keys[p.id] == text.upper() or ID_OFFSET + p.id == number
                or p.name.lower() == lowered)), None)
        if name == "key":
            stem, _, tail = text.upper().rpartition("-")
            issue = state.issues.get(to_int(tail) or 0)
            return issue.id if issue and project_keys(state)[issue.project_id] == stem else None
        named: dict[str, list[tuple[int, str]]] = {
            "status": [(s.id, s.name) for s in state.statuses.values()],
            "priority": [(p.id, p.name) for p in state.priorities.values()],
            "issuetype": [(t.id, ISSUE_TYPES.get(t.name, t.name))
                          for t in state.trackers.values()]}
        return next((i for i, n in named[name] if n.lower() == lowered or i == number), None)

    def user(self, name: str, value: Value) -> int:
        if value.function is not None:
            if value.function.lower() != "currentuser":
                raise JqlError(unknown_function(value.function))
            return self.call.user.id
        text = (value.text or "").strip().lower()
        found = next((u.id for u in self.state.users.values()
                      if text in (account_id(u), u.mail.lower(), u.name.lower())), None)
        if found is None:
            raise JqlError(f"The value '{value.text}' does not exist for the field '{name}'.")
        return found

    def dates(self, name: str, operator: str, values: list[Value]) -> Predicate:
        if operator not in COMPARE:
            raise JqlError(f"The operator '{operator}' is not supported by the '{name}' field.")
        read, compare = DATE_FIELDS[name], COMPARE[operator]
        if values[0].text is None and not values[0].function:  # IS [NOT] EMPTY
            return lambda i: (read(i) is None) == (operator == "=")
        bounds = [moment_of(v, self.state.clock()) for v in values]
        if operator == "!=":
            return lambda i: (m := read(i)) is not None and all(
                _minute(m) != b for b in bounds)
        return lambda i: (m := read(i)) is not None and any(
            compare(_minute(m), b) for b in bounds)

    def text(self, name: str, operator: str, values: list[Value]) -> Predicate:
        if name != "summary":
            raise JqlError(f"The operator '{operator}' is not supported by the '{name}' field.")
        words = (values[0].text or "").lower().strip("*")
        return lambda i: (words in i.subject.lower()) == (operator == "~")


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _sort_key(call: JiraCall, name: str) -> Callable[[Issue], Any]:
    state = call.state
    keys: dict[str, Callable[[Issue], Any]] = {
        "created": lambda i: i.created_on, "updated": lambda i: i.updated_on,
        "key": lambda i: i.id, "id": lambda i: i.id, "priority": lambda i: i.priority_id,
        "status": lambda i: state.statuses[i.status_id].name, "summary": lambda i: i.subject,
        "assignee": lambda i: _name(call, i.assigned_to_id),
        "reporter": lambda i: _name(call, i.author_id),
        "project": lambda i: project_keys(state)[i.project_id],
        "resolved": lambda i: (i.closed_on is not None, i.closed_on or i.created_on)}
    return keys[name]


def _name(call: JiraCall, user_id: int | None) -> str:
    user = call.state.users.get(user_id or 0)
    return user.name if user else ""


def matching(call: JiraCall, jql: str, *, bounded: bool) -> list[Issue]:
    """The issues ``jql`` finds, in its order; Jira's 400 for what it refuses."""
    issues: list[Issue] | None = call.state.read_cache.get(("jira-search", jql, str(call.user.id)))
    if issues is not None:
        return issues
    try:
        query: Query = parse(jql)
        keep = Matcher(call).compile(query.where) if query.where is not None else None
    except JqlError as refused:
        raise error(400, str(refused)) from None
    if keep is None and bounded:
        raise error(400, UNBOUNDED)
    issues = [i for i in call.state.issues.values()
              if not is_archived(call.state.projects[i.project_id]) and (keep is None or keep(i))]
    for name, descending in reversed(query.order or [("created", True)]):
        issues.sort(key=_sort_key(call, name), reverse=descending)
    call.state.read_cache[("jira-search", jql, str(call.user.id))] = issues
    return issues


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("page:"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise error(400, "The provided next page token is invalid or expired.") from None


def _search(call: JiraCall, jql: str, fields: set[str], token: str | None,
            size: int | None) -> SimResponse:
    issues = matching(call, jql, bounded=True)
    start = _offset(token)
    size = 50 if size is None or size < 1 else min(size, SEARCH_PAGE_CAP)
    chosen = issues[start:start + size]
    data: dict[str, Any] = {"issues": [issue_json(call, i, fields) for i in chosen]}
    if start + len(chosen) < len(issues):
        data["nextPageToken"] = base64.urlsafe_b64encode(
            f"page:{start + len(chosen)}".encode()).decode()
    data["isLast"] = "nextPageToken" not in data
    return json_response(200, data)


def _fields(value: Any) -> set[str]:
    if isinstance(value, str):
        return {part.strip() for part in value.split(",") if part.strip()}
    return {str(f) for f in value} if isinstance(value, list) else set()


@router.route("POST", "/rest/api/3/search/jql")
def search_post(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return _search(call, str(call.body.get("jql") or ""), _fields(call.body.get("fields")),
                   call.body.get("nextPageToken"), to_int(call.body.get("maxResults")))


@router.route("GET", "/rest/api/3/search/jql")
def search_get(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return _search(call, call.arg("jql") or "", set(call.args("fields")),
                   call.arg("nextPageToken"), to_int(call.arg("maxResults")))


def _legacy(call: JiraCall, jql: str, fields: set[str], start: int | None,
            size: int | None) -> SimResponse:
    issues = matching(call, jql, bounded=False)
    start = max(start or 0, 0)
    size = 50 if size is None or size < 0 else min(size, SEARCH_PAGE_CAP)
    chosen = issues[start:start + size]
    return json_response(200, {
        "expand": "schema,names", "startAt": start, "maxResults": size, "total": len(issues),
        "issues": [issue_json(call, i, fields or {"*navigable"}) for i in chosen]})


@router.route("GET", "/rest/api/3/search")
def legacy_search_get(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return _legacy(call, call.arg("jql") or "", set(call.args("fields")),
                   to_int(call.arg("startAt")), to_int(call.arg("maxResults")))


@router.route("POST", "/rest/api/3/search")
def legacy_search_post(call: JiraCall, _: dict[str, str]) -> SimResponse:
    return _legacy(call, str(call.body.get("jql") or ""), _fields(call.body.get("fields")),
                   to_int(call.body.get("startAt")), to_int(call.body.get("maxResults")))
