"""GitLab issue notes, discussions, label events and a project's labels.

Notes are the journals: a comment is a note, a change of state or assignee a system
note (``"system": true``); a label change is a label event
(``/resource_label_events``), never a note. Every note
has an author (the ghost user for someone without an account). An internal note
(``internal``, formerly ``confidential``) is seen by members with Reporter access
and up. A note is a discussion of its own (``individual_note``) until it is replied
to (``POST …/discussions/:discussion_id/notes``), which makes it a thread, as
GitLab does since 11.9; a thread started with ``POST …/discussions`` is one from the
start. A note in a thread has the type ``DiscussionNote``; a system note takes no reply.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.gitlab.access import find_project, is_archived, project_levels
from pmcockpit.sim.dialects.gitlab.core import (
    Call,
    author_basic,
    iso,
    message,
    not_found,
    paged,
    router,
)
from pmcockpit.sim.dialects.gitlab.facts import LabelEvent
from pmcockpit.sim.dialects.gitlab.issues import find_issue, labels
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import Issue, Journal, Project

SYSTEM_NOTE_OFFSET = 1_000_000_000
"""System notes get ids of their own, above every comment's."""
REPORTER = 20
LABEL_COLOURS = ("#6699cc", "#dc143c", "#009966", "#8fbc8f", "#ed9121", "#9400d3")


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


def _sees_internal(call: Call, project: Project) -> bool:
    return call.user.admin or project_levels(call.state, call.facts, project).get(
        call.user.id, 0) >= REPORTER


def notes_of(call: Call, project: Project, issue: Issue) -> list[dict[str, Any]]:
    """The issue's notes the caller may see, oldest first: for each journal its comment,
    then its changes."""
    notes = []
    internal_seen = _sees_internal(call, project)
    for journal in issue.journals:
        if journal.private and not internal_seen:
            continue
        base = {"attachment": None, "author": author_basic(call, journal.user_id),
                "created_at": iso(journal.created_on), "updated_at": iso(journal.created_on),
                "noteable_id": issue.id, "noteable_type": "Issue", "project_id": project.id,
                "noteable_iid": call.facts.iid(issue), "resolvable": False,
                "confidential": journal.private, "internal": journal.private,
                "imported": False, "imported_from": "none"}
        if journal.notes:
            kind = "DiscussionNote" if journal.id in call.facts.threads else None
            notes.append({"id": journal.id, "type": kind, "body": journal.notes,
                          "system": False, **base})
        if journal.details:
            notes.append({"id": SYSTEM_NOTE_OFFSET + journal.id, "type": None,
                          "body": _system_text(call, journal), "system": True, **base})
    return notes


def _sorted(call: Call, items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    field = "updated_at" if call.arg("order_by") == "updated_at" else "created_at"
    items.sort(key=lambda n: (n[key][field] if key else n[field], n[key]["id"] if key
                              else n["id"]), reverse=call.arg("sort") != "asc")
    return items


@router.route("GET", "/projects/{id:int}/issues/{iid:int}/notes")
def list_notes(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    return paged(call, _sorted(call, notes_of(call, project, issue), ""), lambda n: n)


@router.route("GET", "/projects/{id:int}/issues/{iid:int}/notes/{note_id:int}")
def show_note(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    wanted = int(params["note_id"])
    note = next((n for n in notes_of(call, project, issue) if n["id"] == wanted), None)
    if note is None:
        raise not_found("Note Not Found")
    return json_response(200, note)


def _add(call: Call, project: Project, issue: Issue) -> dict[str, Any]:
    if is_archived(project):
        raise not_found()
    call.require("body")
    journal = call.state.update_issue(issue, call.user.id, str(call.arg("body")), {})
    assert journal is not None
    journal.private = bool(call.flag("internal") or call.flag("confidential"))
    return next(n for n in notes_of(call, project, issue) if n["id"] == journal.id)


@router.route("POST", "/projects/{id:int}/issues/{iid:int}/notes")
def add_note(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    return json_response(201, _add(call, project, issue))


# Discussions ----------------------------------------------------------------------------


def _discussion_id(note_id: int) -> str:
    return hashlib.sha1(f"note-{note_id}".encode(), usedforsecurity=False).hexdigest()


def discussions_of(call: Call, project: Project, issue: Issue) -> list[dict[str, Any]]:
    """The issue's discussions, oldest first: each thread with its notes in order, every
    other note a discussion of its own."""
    found: dict[str, dict[str, Any]] = {}
    for note in sorted(notes_of(call, project, issue), key=lambda n: (n["created_at"],
                                                                      n["id"])):
        thread = call.facts.threads.get(note["id"])
        entry = found.setdefault(thread or _discussion_id(note["id"]), {
            "id": thread or _discussion_id(note["id"]), "individual_note": thread is None,
            "notes": []})
        entry["notes"].append(note)
    return list(found.values())


def _find_discussion(call: Call, project: Project, issue: Issue,
                     wanted: str) -> dict[str, Any]:
    found = next((d for d in discussions_of(call, project, issue) if d["id"] == wanted), None)
    if found is None:
        raise not_found()
    return found


@router.route("GET", "/projects/{id:int}/issues/{iid:int}/discussions")
def list_discussions(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    return paged(call, discussions_of(call, project, issue), lambda d: d)


@router.route("GET", "/projects/{id:int}/issues/{iid:int}/discussions/{discussion}")
def show_discussion(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    return json_response(200, _find_discussion(call, project, issue, params["discussion"]))


@router.route("POST", "/projects/{id:int}/issues/{iid:int}/discussions")
def start_discussion(call: Call, params: dict[str, str]) -> SimResponse:
    project, issue = find_issue(call, params["id"], params["iid"])
    journal_id = _add(call, project, issue)["id"]
    call.facts.threads[journal_id] = _discussion_id(journal_id)
    return json_response(201, _find_discussion(call, project, issue,
                                               _discussion_id(journal_id)))


@router.route("POST", "/projects/{id:int}/issues/{iid:int}/discussions/{discussion}/notes")
def reply(call: Call, params: dict[str, str]) -> SimResponse:
    """A reply to a thread; replying to an individual note makes it a thread."""
    project, issue = find_issue(call, params["id"], params["iid"])
    discussion = _find_discussion(call, project, issue, params["discussion"])
    first = discussion["notes"][0]
    if first["system"]:
        raise message(400, "400 Bad request - Note is not a discussion")
    call.facts.threads[first["id"]] = discussion["id"]
    journal_id = _add(call, project, issue)["id"]
    call.facts.threads[journal_id] = discussion["id"]
    return json_response(201, next(n for n in notes_of(call, project, issue)
                                   if n["id"] == journal_id))


# Labels ---------------------------------------------------------------------------------


@router.route("GET", "/projects/{id:int}/issues/{iid:int}/resource_label_events")
def list_label_events(call: Call, params: dict[str, str]) -> SimResponse:
    _, issue = find_issue(call, params["id"], params["iid"])
    events = [(number, e) for number, e in enumerate(call.facts.label_events, start=1)
              if e.issue_id == issue.id]

    def render(pair: tuple[int, LabelEvent]) -> dict[str, Any]:
        number, event = pair
        return {"id": number, "user": author_basic(call, event.user_id),
                "created_at": iso(event.created_at), "resource_type": "Issue",
                "resource_id": issue.id, "label": {
                    "id": _label_id(event.label), "name": event.label,
                    "color": LABEL_COLOURS[_label_id(event.label) % 6], "description": None},
                "action": event.action}

    return paged(call, events, render)


def _label_id(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=3).digest(), "big")


@router.route("GET", "/projects/{id:int}/labels")
def list_labels(call: Call, params: dict[str, str]) -> SimResponse:
    """Every label used in the project, with its open and closed issue counts."""
    project = find_project(call, params["id"])
    counts: dict[str, list[int]] = {}
    for issue in call.state.issues.values():
        if issue.project_id != project.id:
            continue
        closed = call.state.statuses[issue.status_id].is_closed
        for name in labels(call, issue):
            counts.setdefault(name, [0, 0])[1 if closed else 0] += 1
    search = str(call.arg("search") or "").lower()
    names = sorted(n for n in counts if search in n.lower())
    return paged(call, names, lambda n: {
        "id": _label_id(n), "name": n, "color": LABEL_COLOURS[_label_id(n) % 6],
        "text_color": "#FFFFFF", "description": None, "description_html": "",
        "open_issues_count": counts[n][0], "closed_issues_count": counts[n][1],
        "open_merge_requests_count": 0, "subscribed": False, "priority": None,
        "is_project_label": True})
