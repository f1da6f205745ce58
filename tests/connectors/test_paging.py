"""The paginators: offset/limit/total (Redmine, Jira), next-page tokens (Jira), links (GitLab)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pmcockpit.connectors.errors import BadResponse
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.paging import (
    JIRA_PAGING,
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


async def test_empty_page_before_the_total_is_a_bad_response() -> None:
    """Stopping there would silently drop 50 items."""
    pages = [httpx.Response(200, json={"issues": [], "total_count": 50})]
    with pytest.raises(BadResponse, match="held 0 items but total_count announced 50"):
        await collect(paginate_offset(client_for(pages, []), "/issues.json", items_key="issues"))


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


# -- pages that break their dialect's promise -----------------------------------------------

REDMINE_FAULTS = [
    ({"users": [{"id": None}], "total_count": 1}, "GET /users.json .* id None"),
    ({"users": [{"login": "x"}], "total_count": 1}, "an item has id None"),
    ({"users": [{"id": 1}, {"id": 1}], "total_count": 2}, "id 1 appears twice"),
    ({"users": [{"id": True}], "total_count": 1}, "id True"),
    ({"users": ITEMS[:3], "total_count": "lots"}, "total_count is 'lots', not a number"),
    ({"users": ITEMS[:3], "total_count": 3, "offset": "0"}, "offset is '0'"),
    ({"users": ITEMS[:3], "total_count": 3, "limit": -1}, "limit is -1"),
    ({"users": ITEMS[:3], "total_count": 2}, "held 3 items but total_count announced 2"),
    ({"users": {"id": 1}, "total_count": 1}, "users is not a list"),
]


@pytest.mark.parametrize(("page", "message"), REDMINE_FAULTS)
async def test_redmine_page_faults(page: dict[str, Any], message: str) -> None:
    pages = [httpx.Response(200, json=page)]
    with pytest.raises(BadResponse, match=message):
        await collect(paginate_offset(client_for(pages, []), "/users.json", items_key="users"))


GROUPS = [{"groupId": str(n)} for n in range(1, 8)]
JIRA_FAULTS = [
    ({"values": GROUPS, "isLast": "yes"}, "isLast is 'yes', not true or false"),
    ({"values": GROUPS, "isLast": True, "total": 9}, "held 7 items but total announced 9"),
    ({"values": GROUPS, "isLast": True, "startAt": None, "maxResults": "50"},
     "maxResults is '50'"),
    ({"values": [{"groupId": None}], "isLast": True}, "groupId None"),
]


@pytest.mark.parametrize(("page", "message"), JIRA_FAULTS)
async def test_jira_page_faults(page: dict[str, Any], message: str) -> None:
    pages = [httpx.Response(200, json=page)]
    with pytest.raises(BadResponse, match=message):
        await collect(paginate_offset(client_for(pages, []), "/rest/api/3/group/bulk",
                                      items_key="values", paging=JIRA_PAGING, id_key="groupId"))


async def test_jira_next_page_token_must_be_a_string() -> None:
    pages = [httpx.Response(200, json={"issues": ITEMS, "nextPageToken": 7})]
    with pytest.raises(BadResponse, match="nextPageToken is 7, not a string"):
        await collect(paginate_token(client_for(pages, []), "/rest/api/3/search/jql",
                                     items_key="issues"))


GITLAB_FAULTS = [
    ({"X-Total": "many"}, ITEMS, "the X-Total header is 'many', not a number"),
    ({"X-Next-Page": "two"}, ITEMS, "the X-Next-Page header is 'two'"),
    ({"X-Total": "70"}, ITEMS, "held 7 items but X-Total announced 70"),
    ({}, [{"id": 1}, {"id": None}], "an item has id None"),
    ({}, {"id": 1}, "the answer is not a list"),
]


@pytest.mark.parametrize(("headers", "body", "message"), GITLAB_FAULTS)
async def test_gitlab_page_faults(headers: dict[str, str], body: Any, message: str) -> None:
    pages = [httpx.Response(200, json=body, headers=headers)]
    with pytest.raises(BadResponse, match=message):
        await collect(paginate_links(client_for(pages, []), "/api/v4/users"))


async def test_gitlab_x_total_that_matches_passes() -> None:
    pages = [httpx.Response(200, json=ITEMS[:4], headers={"X-Total": "7", "X-Next-Page": "2"}),
             httpx.Response(200, json=ITEMS[4:], headers={"X-Total": "7"})]
    assert await collect(paginate_links(client_for(pages, []), "/api/v4/users")) == ITEMS
