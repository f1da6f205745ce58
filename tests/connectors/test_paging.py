"""The paginators: offset/limit/total (Redmine, Jira), next-page tokens (Jira), links (GitLab)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pmcockpit.connectors.errors import BadResponse
from pmcockpit.connectors.http import (
    JIRA_PAGING,
    ToolClient,
    paginate_links,
    paginate_offset,
    paginate_token,
)

BASE = "https://tool.example.org"
ITEMS = [{"id": n} for n in range(1, 8)]


def client_for(pages: list[httpx.Response], seen: list[httpx.Request]) -> ToolClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return pages[len(seen) - 1]

    return ToolClient("t", BASE, transport=httpx.MockTransport(handle))


async def collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


async def test_redmine_offsets_follow_what_the_server_returned() -> None:
    """The server caps the page at 3 although we ask for 100: offsets count what came."""
    seen: list[httpx.Request] = []
    pages = [httpx.Response(200, json={"users": ITEMS[i:i + 3], "total_count": 7,
                                       "offset": i, "limit": 3}) for i in (0, 3, 6)]
    items = await collect(paginate_offset(client_for(pages, seen), "/users.json",
                                          items_key="users", params={"status": 3}))
    assert items == ITEMS
    assert [dict(r.url.params) for r in seen] == [
        {"status": "3", "offset": str(o), "limit": "100"} for o in (0, 3, 6)]


async def test_answer_without_total_is_one_page() -> None:
    seen: list[httpx.Request] = []
    pages = [httpx.Response(200, json={"groups": ITEMS})]
    assert await collect(paginate_offset(client_for(pages, seen), "/groups.json",
                                         items_key="groups")) == ITEMS
    assert len(seen) == 1


async def test_empty_page_stops_even_if_total_says_more() -> None:
    seen: list[httpx.Request] = []
    pages = [httpx.Response(200, json={"issues": [], "total_count": 50})]
    assert await collect(paginate_offset(client_for(pages, seen), "/issues.json",
                                         items_key="issues")) == []


async def test_jira_is_last_flag() -> None:
    seen: list[httpx.Request] = []
    pages = [httpx.Response(200, json={"values": ITEMS[:4], "isLast": False}),
             httpx.Response(200, json={"values": ITEMS[4:], "isLast": True})]
    items = await collect(paginate_offset(client_for(pages, seen), "/rest/api/3/project/search",
                                          items_key="values", paging=JIRA_PAGING))
    assert items == ITEMS
    assert seen[1].url.params["startAt"] == "4" and seen[1].url.params["maxResults"] == "50"


async def test_items_key_missing_is_a_bad_response() -> None:
    pages = [httpx.Response(200, json={"user": []})]
    with pytest.raises(BadResponse, match="'users'"):
        await collect(paginate_offset(client_for(pages, []), "/users.json", items_key="users"))


async def test_next_page_token() -> None:
    seen: list[httpx.Request] = []
    pages = [httpx.Response(200, json={"issues": ITEMS[:5], "nextPageToken": "abc"}),
             httpx.Response(200, json={"issues": ITEMS[5:]})]
    items = await collect(paginate_token(client_for(pages, seen), "/rest/api/3/search/jql",
                                         items_key="issues", params={"jql": "x"}))
    assert items == ITEMS
    assert "nextPageToken" not in seen[0].url.params
    assert seen[1].url.params["nextPageToken"] == "abc"


async def test_link_header_and_x_next_page() -> None:
    seen: list[httpx.Request] = []
    pages = [
        httpx.Response(200, json=ITEMS[:2],
                       headers={"Link": f'<{BASE}/api/v4/users?page=2&per_page=2>; rel="next"'}),
        httpx.Response(200, json=ITEMS[2:4], headers={"X-Next-Page": "3"}),
        httpx.Response(200, json=ITEMS[4:], headers={"X-Next-Page": ""}),
    ]
    items = await collect(paginate_links(client_for(pages, seen), "/api/v4/users",
                                         params={"active": "true"}, per_page=2))
    assert items == ITEMS
    assert seen[1].url.params["page"] == "2"
    assert seen[2].url.params["page"] == "3" and seen[2].url.params["active"] == "true"


async def test_link_to_another_host_is_not_followed() -> None:
    pages = [httpx.Response(200, json=ITEMS,
                            headers={"Link": '<https://evil.example.com/x?page=2>; rel="next"'})]
    with pytest.raises(BadResponse, match="another host"):
        await collect(paginate_links(client_for(pages, []), "/api/v4/users"))
