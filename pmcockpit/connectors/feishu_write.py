"""Changing Feishu: freeze, unfreeze and resign, prepared and then executed.

Feishu facts this relies on: freezing is ``PATCH /contact/v3/users/:user_id`` with
``is_frozen``, and Feishu allows at most one such change a second, so they run one at a
time, a second apart; resigning is ``DELETE /contact/v3/users/:user_id`` whose body
names who receives the person's group chats, documents, calendar, apps, minutes,
surveys and mail (``email_acceptor`` with ``processing_type`` "1": transfer); Feishu
itself falls back to the direct manager, and so does pmcockpit, but it names them.
A resignation cannot be taken back through the API.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pmcockpit.connectors.base import PlannedCall, Prepared
from pmcockpit.connectors.errors import Rejected
from pmcockpit.connectors.feishu_read import FeishuReader
from pmcockpit.connectors.layered import DispatchingWriter
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _

STATUS_GAP = 1.0
"""Seconds between two freezes or unfreezes (Feishu's limit)."""
QUERY = "?user_id_type=user_id&department_id_type=department_id"
NO_REHIRE = _("Feishu's API cannot take a resignation back; re-add the person in the admin "
              "console")
ACCEPTORS = ("department_chat_acceptor_user_id", "external_chat_acceptor_user_id",
             "docs_acceptor_user_id", "calendar_acceptor_user_id",
             "application_acceptor_user_id", "minutes_acceptor_user_id",
             "survey_acceptor_user_id")


class FeishuWriter(DispatchingWriter):
    tool = "Feishu"

    def __init__(self, reader: FeishuReader, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.read = reader
        self.client = reader.client
        self._sleep, self._clock = sleep, clock
        self._paced = asyncio.Lock()
        self._last_change = float("-inf")
        self.refusals = {ActionKind.ACTIVATE_USER: NO_REHIRE}
        self.handlers = {ActionKind.LOCK_USER: self._freeze,
                         ActionKind.UNLOCK_USER: self._unfreeze,
                         ActionKind.DEACTIVATE_USER: self._resign}

    async def execute(self, action: Action, prepared: Prepared) -> dict[str, Any]:
        for call in prepared.calls:
            body = dict(call.body) if call.body is not None else None
            if call.method == "PATCH":
                await self._paced_call(call.method, call.path, body)
            else:
                await self.read.api.call(call.method, call.path, body=body)
        return dict(prepared.facts)

    async def _paced_call(self, method: str, path: str, body: dict[str, Any] | None) -> None:
        async with self._paced:  # one at a time, a second apart
            wait = self._last_change + STATUS_GAP - self._clock()
            if wait > 0:
                await self._sleep(wait)
            try:
                await self.read.api.call(method, path, body=body)
            finally:
                self._last_change = self._clock()

    async def _current(self, action: Action) -> tuple[str, dict[str, Any]]:
        user_id = action.target_id.strip()
        if not user_id:
            raise Rejected(_("no Feishu user_id given"))
        user = await self.read.user(user_id)
        if user["status"].get("is_resigned"):
            raise Rejected(_("{login} has already resigned in Feishu").format(login=user_id))
        return user_id, user

    async def _freeze(self, action: Action) -> Prepared:
        return await self._set_frozen(action, frozen=True)

    async def _unfreeze(self, action: Action) -> Prepared:
        return await self._set_frozen(action, frozen=False)

    async def _set_frozen(self, action: Action, *, frozen: bool) -> Prepared:
        user_id, user = await self._current(action)
        if bool(user["status"].get("is_frozen")) == frozen:
            text = _("{login} is already frozen") if frozen else _("{login} is not frozen")
            raise Rejected(text.format(login=user_id))
        note = _("freeze {login}") if frozen else _("unfreeze {login}")
        call = PlannedCall("PATCH", f"/contact/v3/users/{user_id}{QUERY}",
                           {"is_frozen": frozen}, note.format(login=user_id))
        return Prepared([call], {"status": "active" if frozen else "locked",
                                 "login": user_id})

    async def _resign(self, action: Action) -> Prepared:
        user_id, user = await self._current(action)
        receiver = str(action.params.get("receiver_id") or user.get("leader_user_id") or "")
        if not receiver:
            raise Rejected(_("{login} has no direct manager in Feishu: name who receives "
                             "their documents, chats and mail with --param "
                             "receiver_id=<user_id>").format(login=user_id))
        if receiver == user_id:
            raise Rejected(_("{login} cannot receive their own documents").format(
                login=user_id))
        await self.read.user(receiver)  # refused here if unknown or out of scope
        body: dict[str, Any] = dict.fromkeys(ACCEPTORS, receiver)
        body["email_acceptor"] = {"processing_type": "1", "acceptor_user_id": receiver}
        note = _("resign {login}: documents, chats, calendar, apps and mail go to "
                 "{receiver}; this cannot be undone").format(login=user_id, receiver=receiver)
        call = PlannedCall("DELETE", f"/contact/v3/users/{user_id}{QUERY}", body, note)
        return Prepared([call], {"status": "active", "login": user_id},
                        {"receiver_id": receiver})
