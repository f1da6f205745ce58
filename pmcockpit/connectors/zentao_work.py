"""ZenTao stories and tasks as queue tickets, and their actions (``queue.kinds``).

ZenTao facts this relies on (easysoft/zentaopms ``api/v1/entries``): ``stories.php``
pages ``GET /products/:id/stories`` (``status`` ``unclosed`` by default, ``all`` for
every one) and ``tasks.php`` pages ``GET /executions/:id/tasks``, an execution being a
project's sprint (``executions.php``: ``GET /projects/:id/executions``); users come as
``{id, account, avatar, realname}``. A story changes through ``storyassignto.php``
(``assignedTo, comment``), ``storyclose.php`` (``closedReason, duplicateStory,
comment``) and ``storyactive.php`` (``assignedTo, status, comment``); a task through
``taskassignto.php`` (``assignedTo`` required, ``comment, left``) and ``taskclose.php``
(``comment``). v1 routes no call that reopens a task. Each answers the object after.

Keys say the kind (``STORY-12``, ``TASK-3``, beside ``BUG-7``); the remote ids carry it
(``story-12``, ``task-3``) so the three kinds never collide in one connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import Rejected
from pmcockpit.core.i18n import N_, _
from pmcockpit.core.records import RemoteComment, RemoteTicket

if TYPE_CHECKING:
    from pmcockpit.connectors.zentao_read import ZenTaoReader

Json = dict[str, Any]
# ZenTao's own status names (草稿, 激活, ...), in the user's language through the catalog.
STORY_STATUSES = {"draft": N_("Draft"), "active": N_("Active"), "changing": N_("Changing"),
                  "reviewing": N_("Reviewing"), "closed": N_("Closed")}
TASK_STATUSES = {"wait": N_("Not started"), "doing": N_("Doing"), "done": N_("Done"),
                 "pause": N_("Paused"), "cancel": N_("Cancelled"), "closed": N_("Closed")}
KINDS = {"story": ("/stories", STORY_STATUSES), "task": ("/tasks", TASK_STATUSES)}
CLOSE_WORDS = ("closed", "close", "已关闭", "done", "resolved", "resolve")
ACTIVE_WORDS = ("active", "activate", "激活", "open", "reopen")
NO_TASK_ACTIVE = _("ZenTao's API v1 cannot reopen a task (no route to task activate); "
                   "reopen it in the web UI")


def work_ref(target_id: str) -> tuple[str, int] | None:
    """(kind, number) of a story or task id (``story-12``), None for a bug's."""
    kind, _sep, number = str(target_id).partition("-")
    if kind in KINDS and number.isdigit():
        return kind, int(number)
    return None


def status_of(item: Json, names: dict[str, str]) -> tuple[str, str]:
    """(code, name): ``{code, name}``, a code with ``statusName``, or a code named here."""
    status = item.get("status")
    if isinstance(status, dict):
        code = str(status["code"])
        return code, str(status.get("name") or _(names.get(code, code)))
    code = str(status)
    return code, str(item.get("statusName") or _(names.get(code, code)))


def _uid(value: Any) -> str | None:
    return str(value["id"]) if isinstance(value, dict) and value.get("id") else None


def parse_work(kind: str, item: Json, project_id: str, parse_time: Any,
               comments: tuple[RemoteComment, ...] = ()) -> RemoteTicket:
    """A story (``kind`` "story") or task of its listing as a ticket of ``project_id``,
    with the comments of its ``actions`` (``story.php``/``task.php``) when read."""
    code, name = status_of(item, KINDS[kind][1])
    created: datetime | None = parse_time(item.get("openedDate"))
    if created is None:
        raise KeyError("openedDate")
    number = int(str(item["id"]))
    return RemoteTicket(
        remote_id=f"{kind}-{number}", project_id=project_id,
        key=f"{kind.upper()}-{number}", subject=str(item.get("title") or item.get("name", "")),
        status=name, is_closed=code in ("closed", "cancel"), priority=str(item.get("pri", "")),
        author_id=_uid(item.get("openedBy")), assignee_id=_uid(item.get("assignedTo")),
        created_at=created, updated_at=parse_time(item.get("lastEditedDate")) or created,
        description=str(item.get("spec") or item.get("desc") or ""),
        comments=comments, labels=(str(item["type"]),) if item.get("type") else ())


async def list_work(reader: ZenTaoReader, kinds: tuple[str, ...],
                    open_only: bool) -> list[RemoteTicket]:
    """The stories of every product and the tasks of every project's executions; the
    open ones with their comments (one call each, as for bugs)."""
    listed = await _listed(reader, kinds, open_only)
    comments = await asyncio.gather(*(_comments(reader, t) for t in listed))
    return [replace(t, comments=c) for t, c in zip(listed, comments, strict=True)]


async def _comments(reader: ZenTaoReader, ticket: RemoteTicket) -> tuple[RemoteComment, ...]:
    from pmcockpit.connectors.zentao_read import parse_comment

    if ticket.is_closed:
        return ()
    kind, _sep, number = ticket.remote_id.partition("-")
    actions = (await _read(reader, kind, int(number))).get("actions") or []
    found = (parse_comment(a) for a in actions if isinstance(a, dict))
    return tuple(c for c in found if c is not None)


async def _listed(reader: ZenTaoReader, kinds: tuple[str, ...],
                  open_only: bool) -> list[RemoteTicket]:
    from pmcockpit.connectors.zentao_read import PRODUCT_PREFIX, parse_time

    status = "unclosed" if open_only else "all"
    found: list[RemoteTicket] = []
    if "stories" in kinds:
        products = await reader._all("/products", "products")
        pages = await asyncio.gather(*(reader._all(f"/products/{int(p['id'])}/stories",
                                                   "stories", status=status)
                                       for p in products))
        found += [parse_work("story", s, f"{PRODUCT_PREFIX}{int(p['id'])}", parse_time)
                  for p, page in zip(products, pages, strict=True) for s in page]
    if "tasks" in kinds:
        projects = await reader._all("/projects", "projects")
        runs = await asyncio.gather(*(reader._all(f"/projects/{int(p['id'])}/executions",
                                                  "executions") for p in projects))
        pairs = [(str(p["id"]), int(e["id"])) for p, run in zip(projects, runs, strict=True)
                 for e in run]
        pages = await asyncio.gather(*(reader._all(f"/executions/{e}/tasks", "tasks",
                                                   status=status) for _p, e in pairs))
        found += [parse_work("task", t, project, parse_time)
                  for (project, _e), page in zip(pairs, pages, strict=True) for t in page
                  if not open_only or status_of(t, TASK_STATUSES)[0] not in ("closed",
                                                                               "cancel")]
    return found


async def _read(reader: ZenTaoReader, kind: str, number: int) -> Json:
    data = await reader.session.get(f"{KINDS[kind][0]}/{number}")
    if not isinstance(data, dict):
        raise TypeError(_("a {kind} is not an object").format(kind=kind))
    return data


async def prepare_status(reader: ZenTaoReader, kind: str, number: int,
                         wanted: Any, comment: str = "") -> Prepared:
    """Close or activate a story; close a task. ``comment`` (the action's reason) goes
    into the object's history, as the web UI's comment box would put it."""
    word = str(wanted or "").strip().casefold()
    path, names = KINDS[kind]
    item = await _read(reader, kind, number)
    before, name = status_of(item, names)
    key = f"{kind.upper()}-{number}"
    if word in CLOSE_WORDS:
        after = "closed"
        body: Json = {"closedReason": "done", "comment": comment} if kind == "story" \
            else {"comment": comment}
        call = PlannedCall("POST", f"{path}/{number}/close", body,
                           _("close {key}").format(key=key))
    elif word in ACTIVE_WORDS and kind == "story":
        after = "active"
        call = PlannedCall("POST", f"{path}/{number}/active",
                           {"status": "active", "comment": comment},
                           _("activate {key}").format(key=key))
    elif word in ACTIVE_WORDS or word in names:  # a task's open status: an undo's too
        raise Rejected(NO_TASK_ACTIVE if kind == "task" else _(
            "ZenTao's API activates a story (active), not {status!r}").format(
            status=str(wanted)))
    else:
        raise Rejected(_("ZenTao's API closes {kind}s or activates stories, not "
                         "{status!r}").format(kind=kind, status=str(wanted)))
    if before == after:
        return Prepared([], {"status": before}, {"status": after})
    return Prepared([call], {"status": before, "name": name}, {"status": after})


async def prepare_assign(reader: ZenTaoReader, kind: str, number: int,
                         account: str, wanted: Any, comment: str = "") -> Prepared:
    """Assign a story or task to ``account`` (a task cannot be left unassigned)."""
    if not account and kind == "task":
        raise Rejected(_("ZenTao's API assigns a task only to someone (assignedTo is "
                         "required)"))
    item = await _read(reader, kind, number)
    key = f"{kind.upper()}-{number}"
    note = _("assign {key} to {who}").format(key=key, who=account) if account \
        else _("unassign {key}").format(key=key)
    call = PlannedCall("POST", f"{KINDS[kind][0]}/{number}/assignto",
                       {"assignedTo": account, "comment": comment}, note)
    return Prepared([call], {"assignee_id": _uid(item.get("assignedTo"))},
                    {"assignee_id": str(wanted) if account else None})
