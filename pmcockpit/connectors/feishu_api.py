"""Talking to Feishu's open platform: the tenant access token and the answer envelope.

Every answer is ``{"code", "msg", "data"}`` and only ``code`` 0 is success, whatever
the HTTP status. :class:`FeishuApi` gets a tenant access token from the app id and
secret, renews it before it expires (and once when Feishu calls it invalid), walks
``page_token`` pages with the same checks as every other list, and turns Feishu's
codes into pmcockpit's errors: 40004/41050 (outside the app's contact scope) into
PermissionDenied naming the scope, 99991400 into RateLimited.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from pmcockpit.connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    PermissionDenied,
    RateLimited,
    Rejected,
)
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.paging import IdCheck, bad_page, items_of, next_token
from pmcockpit.core.i18n import _

Json = dict[str, Any]
TOKEN_PATH = "/auth/v3/tenant_access_token/internal"
RENEW_BEFORE = 300.0
"""Seconds before expiry at which the token is renewed."""
INVALID_TOKEN_CODES = frozenset({99991661, 99991663, 99991668})
SCOPE_CODES = {
    40004: _("the department is outside the app's contact scope (通讯录权限范围): widen it "
             "in the developer console, Permissions → Contacts range"),
    41050: _("the person is outside the app's contact scope (通讯录权限范围): widen it in "
             "the developer console, Permissions → Contacts range"),
}
RATE_LIMIT_CODE = 99991400
_CODE = re.compile(r"\(code (\d+)\)")


def error_code(error: ConnectorError) -> int | None:
    found = _CODE.search(error.message)
    return int(found.group(1)) if found else None


class FeishuApi:
    def __init__(self, client: ToolClient, app_id: str, secret: str, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client, self.app_id, self._secret, self._clock = client, app_id, secret, clock
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def _token(self, *, renew: bool = False) -> None:
        async with self._lock:
            if not renew and self._clock() < self._expires - RENEW_BEFORE:
                return
            response = await self.client.request(
                "POST", TOKEN_PATH, json_body={"app_id": self.app_id, "app_secret": self._secret})
            data = self.client.json(response)
            if not isinstance(data, dict) or data.get("code") != 0:
                message = data.get("msg") if isinstance(data, dict) else None
                raise AuthenticationFailed(
                    _("{name}: Feishu refused the app {app} ({reason})").format(
                        name=self.client.name, app=self.app_id, reason=message or data),
                    hint=_("check the app id option and store the app secret with "
                           "`pmcockpit connect add … --token-stdin`"))
            self.client.add_auth_headers(
                {"Authorization": f"Bearer {data['tenant_access_token']}"})
            self._expires = self._clock() + float(data.get("expire", 7200))

    async def call(self, method: str, path: str, *, params: Mapping[str, str | int] | None
                   = None, body: Json | None = None) -> Json:
        """``data`` of a successful answer; Feishu's refusals as pmcockpit's errors."""
        await self._token()
        try:
            return await self._once(method, path, params, body)
        except (AuthenticationFailed, Rejected) as error:
            if error_code(error) not in INVALID_TOKEN_CODES and error.status != 401:
                raise self._mapped(error) from None
        await self._token(renew=True)
        try:
            return await self._once(method, path, params, body)
        except Rejected as error:
            raise self._mapped(error) from None

    async def _once(self, method: str, path: str, params: Mapping[str, str | int] | None,
                    body: Json | None) -> Json:
        response = await self.client.request(method, path, params=params, json_body=body)
        data = self.client.json(response)
        if not isinstance(data, dict):
            raise TypeError(_("the answer is not an object"))
        if data.get("code") != 0:
            raise Rejected(_("{name} refused {where}: {reason}").format(
                name=self.client.name, where=f"{method} {path}",
                reason=f"{data.get('msg')} (code {data.get('code')})"))
        found = data.get("data", {})
        return found if isinstance(found, dict) else {}

    def _mapped(self, error: ConnectorError) -> ConnectorError:
        code = error_code(error)
        if code in SCOPE_CODES:
            return PermissionDenied(f"{self.client.name}: {SCOPE_CODES[code]}", status=error.status)
        if code == RATE_LIMIT_CODE:
            return RateLimited(_("{name}: Feishu is rate limiting pmcockpit").format(
                name=self.client.name), hint=_("try again in a minute"))
        return error

    async def pages(self, path: str, *, params: Mapping[str, str | int], page_size: int,
                    id_key: str | None) -> AsyncIterator[Json]:
        """Every item of a ``page_token`` list, each page checked."""
        where = self.client.call("GET", path)
        check = IdCheck(self.client, where, id_key)
        token: str | None = None
        while True:
            query: dict[str, str | int] = {**params, "page_size": page_size}
            if token:
                query["page_token"] = token
            data = await self.call("GET", path, params=query)
            items = items_of(self.client, data, "items", where) if "items" in data else []
            check(items)
            for item in items:
                yield item
            more = data.get("has_more")
            if not isinstance(more, bool):
                raise bad_page(self.client, where, _("has_more is {value!r}, not true or false")
                               .format(value=more))
            token = next_token(self.client, data, "page_token", where)
            if not more:
                return
            if not token:
                raise bad_page(self.client, where, _("has_more without a page_token"))
