"""The paginators for the three paging styles of the tools we speak to, and the checks
every page passes before any item of it is believed.

A page that breaks its dialect's promise (a total that is not a number, an item
without an id, the same id twice, pages that do not add up to the announced total)
raises :class:`BadResponse` naming the call and the field, so a sync stops before it
writes anything instead of storing a half or collapsed list.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import httpx

from pmcockpit.connectors.errors import BadResponse
from pmcockpit.connectors.http import QueryParams, ToolClient
from pmcockpit.connectors.http_failures import json_at
from pmcockpit.core.i18n import _

T = TypeVar("T")
R = TypeVar("R")

HINT = _("check the tool's version and any proxy in front of it, then try again")


def bad_page(client: ToolClient, where: str, problem: str) -> BadResponse:
    return BadResponse(_("{name}: {where} answered a page that cannot be trusted: {problem}")
                       .format(name=client.name, where=where, problem=problem), hint=HINT)


def number_at(client: ToolClient, data: Mapping[str, Any], key: str, where: str) -> int | None:
    """``data[key]`` as a whole number, None when absent; BadResponse when it is not one."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_page(client, where, _("{field} is {value!r}, not a number")
                       .format(field=key, value=value))
    return value


class IdCheck:
    """Every item carries ``key`` (a number or a non-empty string), each id once."""

    def __init__(self, client: ToolClient, where: str, key: str | None, *,
                 unique: bool = True) -> None:
        self.client, self.where, self.key, self.unique = client, where, key, unique
        self.seen: set[str] = set()

    def __call__(self, items: list[Any]) -> None:
        if self.key is None:
            return
        for item in items:
            value = item.get(self.key) if isinstance(item, dict) else None
            if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
                raise bad_page(self.client, self.where, _("an item has {field} {value!r}")
                               .format(field=self.key, value=value))
            if self.unique and str(value) in self.seen:
                raise bad_page(self.client, self.where, _("{field} {value} appears twice")
                               .format(field=self.key, value=value))
            self.seen.add(str(value))

    def adds_up(self, total: int | None, count: int, total_key: str) -> None:
        if total is not None and count != total:
            raise bad_page(self.client, self.where,
                           _("the pages held {count} items but {field} announced {total}")
                           .format(count=count, field=total_key, total=total))


def items_of(client: ToolClient, data: Any, items_key: str, where: str) -> list[Any]:
    items = json_at(data, items_key, where=where)
    if not isinstance(items, list):
        raise bad_page(client, where, _("{field} is not a list").format(field=items_key))
    return items


@dataclass(frozen=True, slots=True)
class OffsetPaging:
    """Offset/limit pages with a total or a last-page flag."""

    offset_param: str = "offset"
    limit_param: str = "limit"
    total_key: str = "total_count"
    page_size: int = 100
    is_last_key: str | None = None


REDMINE_PAGING = OffsetPaging()  # Redmine caps limit at 100
JIRA_PAGING = OffsetPaging("startAt", "maxResults", "total", 50, "isLast")


def _is_last(client: ToolClient, data: Mapping[str, Any], key: str | None,
             where: str) -> bool | None:
    if key is None or key not in data:
        return None
    value = data[key]
    if not isinstance(value, bool):
        raise bad_page(client, where, _("{field} is {value!r}, not true or false")
                       .format(field=key, value=value))
    return value


async def paginate_offset(
    client: ToolClient, path: str, *, items_key: str, params: QueryParams | None = None,
    paging: OffsetPaging = REDMINE_PAGING, id_key: str | None = "id",
) -> AsyncIterator[Any]:
    """Every item of an offset-paged list. An answer without a total is a single page.

    Once a full first page has announced the total, the other pages are asked for side by
    side (the client's in-flight limit still holds) and checked in order."""
    page = _OffsetPages(client, path, items_key, params, paging)
    check = IdCheck(client, page.where, id_key)
    offset, total = 0, None
    while True:
        items, total, last = await page.read(offset)
        check(items)
        for item in items:
            yield item
        # Count what came: the server may cap the page size below what we asked.
        offset += len(items)
        done = last if last is not None else total is None or offset >= total
        if done or not items:
            check.adds_up(total, offset, paging.total_key)
            return
        if last is None and total is not None and len(items) == paging.page_size:
            break
    assert total is not None
    # Pages in flight at once, bounded, so a huge list is not all held at once.
    offsets = list(range(offset, total, paging.page_size))
    for start in range(0, len(offsets), PAGES_AHEAD):
        pages = await asyncio.gather(*(page.read(at) for at in offsets[start:start + PAGES_AHEAD]))
        for items, _total, _last in pages:
            check(items)
            offset += len(items)
            for item in items:
                yield item
    check.adds_up(total, offset, paging.total_key)


PAGES_AHEAD = 16
"""Offset pages asked for together once the total is known."""


class _OffsetPages:
    """One offset-paged list: a page at an offset, its items checked against the dialect."""

    def __init__(self, client: ToolClient, path: str, items_key: str,
                 params: QueryParams | None, paging: OffsetPaging) -> None:
        self.client, self.path, self.items_key = client, path, items_key
        self.params, self.paging = params, paging
        self.where = client.call("GET", path)

    async def read(self, offset: int) -> tuple[list[Any], int | None, bool | None]:
        """(items, announced total, last-page flag) of the page at ``offset``."""
        client, paging, where = self.client, self.paging, self.where
        query = {**(self.params or {}), paging.offset_param: offset,
                 paging.limit_param: paging.page_size}
        data = await client.get_json(self.path, query)
        items = items_of(client, data, self.items_key, where)
        total = number_at(client, data, paging.total_key, where)
        for key in (paging.offset_param, paging.limit_param):
            number_at(client, data, key, where)
        return items, total, _is_last(client, data, paging.is_last_key, where)


async def paginate_token(
    client: ToolClient, path: str, *, items_key: str, params: QueryParams | None = None,
    token_param: str = "nextPageToken", token_key: str = "nextPageToken",
    size_param: str = "maxResults", page_size: int = 100, id_key: str | None = "id",
) -> AsyncIterator[Any]:
    """Every item of a cursor-paged list (Jira's ``nextPageToken`` endpoints)."""
    where = client.call("GET", path)
    check = IdCheck(client, where, id_key)
    token: str | None = None
    while True:
        query: dict[str, str | int] = {**(params or {}), size_param: page_size}
        if token:
            query[token_param] = token
        data = await client.get_json(path, query)
        items = items_of(client, data, items_key, where)
        check(items)
        for item in items:
            yield item
        token = next_token(client, data, token_key, where)
        if not token or not items:
            return


def next_token(client: ToolClient, data: Mapping[str, Any], key: str, where: str) -> str | None:
    """The cursor of the next page: a non-empty string, or absent on the last page."""
    token = data.get(key)
    if token is not None and not isinstance(token, str):
        raise bad_page(client, where, _("{field} is {value!r}, not a string")
                       .format(field=key, value=token))
    return token or None


def _header_number(client: ToolClient, response: httpx.Response, header: str) -> int | None:
    raw = response.headers.get(header, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise bad_page(client, client.describe(response.request),
                       _("the {field} header is {value!r}, not a number")
                       .format(field=header, value=raw))
    return int(raw)


async def paginate_links(
    client: ToolClient, path: str, *, params: QueryParams | None = None, per_page: int = 100,
    id_key: str | None = "id", unique: bool = True,
) -> AsyncIterator[Any]:
    """Every item of a list paged by ``Link: rel=next`` or ``X-Next-Page`` (GitLab).

    ``X-Total`` (absent above 10,000 items) must match what the pages held."""
    query: dict[str, str | int] = {**(params or {}), "per_page": per_page}
    response = await client.request("GET", path, params=query)
    check = IdCheck(client, client.call("GET", path), id_key, unique=unique)
    count, total = 0, _header_number(client, response, "X-Total")
    while True:
        items = client.json(response)
        if not isinstance(items, list):
            raise bad_page(client, client.describe(response.request),
                           _("the answer is not a list"))
        check(items)
        count += len(items)
        for item in items:
            yield item
        next_url = response.links.get("next", {}).get("url")
        next_page = _header_number(client, response, "X-Next-Page")
        if next_url:
            if not client.same_origin(next_url):
                # Following it would send our token to another host.
                raise BadResponse(_("{name}: the next page is on another host")
                                  .format(name=client.name),
                                  hint=_("set the connection URL to the tool's public URL"))
            response = await client.request("GET", next_url)
        elif next_page and items:
            response = await client.request("GET", path, params={**query, "page": next_page})
        else:
            check.adds_up(total, count, "X-Total")
            return


WORKERS = 16
"""Reads of one list under way at once: enough to keep the connection's in-flight slots busy
(the client's limit still holds), few enough that a list of thousands does not hold a task
and its frame for every item while they wait their turn."""


async def each(items: Sequence[T], read: Callable[[T], Awaitable[R]], *,
               workers: int = WORKERS) -> list[R]:
    """``read(item)`` of every item, in the items' order, at most ``workers`` at once; the
    first failure cancels the rest and is raised."""
    results: list[R | None] = [None] * len(items)
    feed = iter(enumerate(items))

    async def worker() -> None:
        for index, item in feed:  # one iterator shared: each item is taken once
            results[index] = await read(item)

    await together(*(worker() for _ in range(min(workers, len(items)))))
    return cast(list[R], results)


async def together(*steps: Awaitable[Any]) -> list[Any]:
    """Every step's result, in order; the first failure cancels the others and is raised."""
    tasks = [asyncio.ensure_future(one) for one in steps]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
