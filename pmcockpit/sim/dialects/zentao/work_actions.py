"""ZenTao's story and task actions (assign, close, activate a story; assign, close a task).

Shapes follow easysoft/zentaopms ``api/v1/entries``: ``storyassignto.php`` (POST
``assignedTo, comment``), ``storyclose.php`` (``closedReason, duplicateStory, comment``;
the story controller refuses a close without a reason), ``storyactive.php``
(``assignedTo, status, comment``), ``taskassignto.php`` (``assignedTo`` required,
``comment, left``) and ``taskclose.php`` (``comment``); each answers the object after.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pmcockpit.sim.dialects.common import iso
from pmcockpit.sim.dialects.zentao.core import Call, error, router, user_ref
from pmcockpit.sim.dialects.zentao.work import Work, _story_json, _task_json, _work, history
from pmcockpit.sim.http import SimResponse, json_response

CLOSED_REASONS = ("done", "subdivided", "duplicate", "postponed", "willnotdo", "cancel",
                  "bydesign")


def _find(call: Call, index: int, ref: str) -> tuple[list[Work], int]:
    items = _work(call.state)[index]
    at = next((n for n, w in enumerate(items) if w.id == int(ref)), None)
    if at is None:
        raise error(404, "404 Not found")
    return items, at


def _assignee(call: Call, account: Any) -> int | None:
    if account in (None, ""):
        return None
    user = call.state.user_by_login(str(account))
    if user is None:
        raise error(400, f"assignedTo: {account} does not exist")
    return user.id


def _answer(call: Call, index: int, item: Work) -> SimResponse:
    return json_response(200, (_story_json if index == 0 else _task_json)(call, item))


def _change(call: Call, index: int, ref: str, action: str, **changes: Any) -> SimResponse:
    """Apply ``changes`` and record the action, with its comment, in the history."""
    items, at = _find(call, index, ref)
    items[at] = replace(items[at], **changes)
    kind = ("story", "task")[index]
    store = call.state.extras.setdefault("zentao-work-action-id", [0])
    store[0] += 1
    history(call.state, kind, items[at].id).append({
        "id": store[0], "objectType": kind, "objectID": items[at].id,
        "action": action,
        "actor": user_ref(call.state, call.user.id), "date": iso(call.state.clock()),
        "comment": str(call.body.get("comment") or "")})
    return _answer(call, index, items[at])


@router.route("POST", "/stories/{id:int}/assignto")
def assign_story(call: Call, params: dict[str, str]) -> SimResponse:
    return _change(call, 0, params["id"], "assigned",
                   assigned_to=_assignee(call, call.body.get("assignedTo")))


@router.route("POST", "/stories/{id:int}/close")
def close_story(call: Call, params: dict[str, str]) -> SimResponse:
    if call.body.get("closedReason") not in CLOSED_REASONS:
        raise error(400, "『关闭原因』不能为空。")
    return _change(call, 0, params["id"], "closed", status="closed", assigned_to=None)


@router.route("POST", "/stories/{id:int}/active")
def activate_story(call: Call, params: dict[str, str]) -> SimResponse:
    items, at = _find(call, 0, params["id"])
    if items[at].status != "closed":
        raise error(400, "error")
    changes: dict[str, Any] = {"status": "active"}
    if call.body.get("assignedTo"):
        changes["assigned_to"] = _assignee(call, call.body["assignedTo"])
    return _change(call, 0, params["id"], "activated", **changes)


@router.route("POST", "/tasks/{id:int}/assignto")
def assign_task(call: Call, params: dict[str, str]) -> SimResponse:
    if not call.body.get("assignedTo"):
        raise error(400, "Need assignedTo")
    return _change(call, 1, params["id"], "assigned",
                   assigned_to=_assignee(call, call.body["assignedTo"]))


@router.route("POST", "/tasks/{id:int}/close")
def close_task(call: Call, params: dict[str, str]) -> SimResponse:
    return _change(call, 1, params["id"], "closed", status="closed")
