"""Sync never swallows bad data: each malformed shape fails that connection's sync with a
message naming the call and the field, and the previous state is kept. A sync that
would remove too many accounts at once is refused unless the drop is accepted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pmcockpit.config import Settings
from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.services.sync import sync_all
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import connections
from pmcockpit.storage.db import open_database
from tests import loopback
from tests.databases import database_url
from tests.services.sync_faults import Bend, FaultySetup, faulty_setup


def null_ids(key: str) -> Any:
    def change(body: Any) -> Any:
        return {**body, key: [{**item, "id": None} for item in body[key]]}
    return change


def duplicate_first(key: str) -> Any:
    def change(body: Any) -> Any:
        items = body[key]
        return {**body, key: [*items, items[0]], "total_count": len(items) + 1}
    return change


def half_the_page(body: Any) -> Any:
    """Half the items while the total still counts them all: a page lost on the way."""
    return {**body, "users": body["users"][: len(body["users"]) // 2]}


REDMINE_CASES = [
    pytest.param(Bend("/users.json", null_ids("users")),
                 "GET /users.json answered a page that cannot be trusted: an item has id None",
                 id="null-ids"),
    pytest.param(Bend("/users.json", lambda b: {**b, "total_count": "lots"}),
                 "GET /users.json answered a page that cannot be trusted: "
                 "total_count is 'lots', not a number", id="total-not-a-number"),
    pytest.param(Bend("/users.json", half_the_page),
                 "GET /users.json answered a page that cannot be trusted: the pages held "
                 "[0-9]+ items but total_count announced [0-9]+", id="pages-short"),
    pytest.param(Bend("/users.json", duplicate_first("users")), "appears twice",
                 id="duplicate-id"),
    pytest.param(Bend("/projects.json", lambda b: {**b, "offset": "zero"}),
                 "GET /projects.json .* offset is 'zero'", id="offset-not-a-number"),
    pytest.param(Bend("/groups.json", lambda b: {**b, "groups": {"id": 1}}),
                 "GET /groups.json .* groups is not a list", id="list-not-a-list"),
    pytest.param(Bend("/users/current.json", lambda b: {"user": {**b["user"], "id": None}}),
                 "tool: could not read the token's account \\(id None is not a number\\)",
                 id="current-user-without-id"),
]


async def synced(tmp_path: Path, dialect: str = "redmine") -> tuple[FaultySetup, list[str]]:
    setup = faulty_setup(tmp_path, dialect)
    report = await setup.sync()
    assert report.ok, report.error
    before = setup.account_ids()
    assert len(before) > 10
    return setup, before


async def assert_refused_and_kept(setup: FaultySetup, before: list[str], message: str) -> None:
    report = await setup.sync()
    assert not report.ok
    assert report.error is not None
    assert report.error.startswith("tool: ")
    assert re.search(message, report.error), report.error
    assert setup.account_ids() == before
    assert setup.last_error() == report.error


@pytest.mark.parametrize(("bend", "message"), REDMINE_CASES)
async def test_redmine_malformed_answers_fail_the_sync_and_keep_the_state(
        tmp_path: Path, bend: Bend, message: str) -> None:
    setup, before = await synced(tmp_path)
    setup.bends.append(bend)
    await assert_refused_and_kept(setup, before, message)


JIRA_CASES = [
    pytest.param(Bend("/rest/api/3/project/search", lambda b: {**b, "isLast": "no"}),
                 "GET /rest/api/3/project/search .* isLast is 'no', not true or false",
                 id="is-last-not-a-flag"),
    pytest.param(Bend("/rest/api/3/project/search", lambda b: {**b, "total": 999}),
                 "held [0-9]+ items but total announced 999", id="total-mismatch"),
    pytest.param(Bend("/rest/api/3/group/bulk",
                      lambda b: {**b, "values": [{**v, "groupId": None} for v in b["values"]]}),
                 "GET /rest/api/3/group/bulk .* an item has groupId None", id="null-group-id"),
    pytest.param(Bend("/rest/api/3/search/jql", lambda b: {**b, "nextPageToken": 7},
                      method="POST"),
                 "POST /rest/api/3/search/jql .* nextPageToken is 7, not a string",
                 id="token-not-a-string"),
    pytest.param(Bend("/rest/api/3/users/search",
                      lambda b: [{**u, "accountId": None} for u in b]),
                 "GET /rest/api/3/users/search .* accountId None", id="null-account-id"),
]


@pytest.mark.parametrize(("bend", "message"), JIRA_CASES)
async def test_jira_malformed_answers_fail_the_sync_and_keep_the_state(
        tmp_path: Path, bend: Bend, message: str) -> None:
    setup, before = await synced(tmp_path, "jira")
    setup.bends.append(bend)
    await assert_refused_and_kept(setup, before, message)


GITLAB_CASES = [
    pytest.param(Bend("/api/v4/users", headers={"X-Total": "many"}),
                 "the X-Total header is 'many', not a number", id="x-total-not-a-number"),
    pytest.param(Bend("/api/v4/users", headers={"X-Total": "9999"}),
                 "held [0-9]+ items but X-Total announced 9999", id="x-total-mismatch"),
    pytest.param(Bend("/api/v4/projects", headers={"X-Next-Page": "next"}),
                 "the X-Next-Page header is 'next'", id="x-next-page-not-a-number"),
    pytest.param(Bend("/api/v4/users", lambda b: [{**u, "id": None} for u in b]),
                 "GET /api/v4/users .* an item has id None", id="null-ids"),
]


@pytest.mark.parametrize(("bend", "message"), GITLAB_CASES)
async def test_gitlab_malformed_answers_fail_the_sync_and_keep_the_state(
        tmp_path: Path, bend: Bend, message: str) -> None:
    setup, before = await synced(tmp_path, "gitlab")
    setup.bends.append(bend)
    await assert_refused_and_kept(setup, before, message)


def two_per_status(body: Any) -> Any:
    """A consistent answer with only two users: passes every page check."""
    return {**body, "users": body["users"][:2], "total_count": min(2, body["total_count"])}


async def test_the_drop_guard_refuses_then_accept_drop_passes(tmp_path: Path) -> None:
    setup, before = await synced(tmp_path)
    setup.bends.append(Bend("/users.json", two_per_status))
    refused = await setup.sync()
    assert refused.refused_drop and not refused.ok
    assert refused.error is not None
    assert re.match(f"tool: this sync would remove [0-9]+ of {len(before)} accounts",
                    refused.error)
    assert "more than the 30% allowed at once (setting max_account_drop)" in refused.error
    assert "`pmcockpit sync tool --accept-drop`" in refused.error
    assert setup.account_ids() == before

    accepted = await setup.sync(accept_drop=True)
    assert accepted.ok, accepted.error
    assert len(setup.account_ids()) <= 6


async def test_a_small_drop_passes_the_guard(tmp_path: Path) -> None:
    setup, before = await synced(tmp_path)

    def one_less(body: Any) -> Any:
        users = [u for u in body["users"] if str(u["id"]) != before[-1]]
        gone = len(body["users"]) - len(users)
        return {**body, "users": users, "total_count": body["total_count"] - gone}

    setup.bends.append(Bend("/users.json", one_less))
    report = await setup.sync()
    assert report.ok, report.error
    assert setup.account_ids() == sorted(set(before) - {before[-1]})


async def test_a_silent_tool_fails_the_sync_at_the_deadline_with_progress(
        tmp_path: Path) -> None:
    async with loopback.silent_server() as url:
        await _sync_the_silent_tool(tmp_path, url)


async def _sync_the_silent_tool(tmp_path: Path, silent_server: str) -> None:
    db = open_database(database_url(tmp_path / 'pmcockpit.db'))
    with db.session() as session:
        connections.add(session, "quiet", "redmine", silent_server)
    settings = Settings(db=str(db.engine.url), request_timeout=0.2, request_deadline=0.5)

    def open_connector(name: str) -> Connector:
        return registry.open_connector(ConnectionConfig(name, "redmine", silent_server,
                                                                "not-a-real-token"))

    told: list[tuple[str, str]] = []
    workspace = Workspace(settings, db, open_connector)
    [report] = await sync_all(workspace, progress=lambda name, what: told.append((name, what)))
    assert report.error is not None and report.error.startswith(
        "quiet: GET /users/current.json got no complete answer within 0.5 s")
    assert ("quiet", "127.0.0.1 accepted GET /users/current.json but did not answer "
            "in time; trying again (2 of 4)") in told
