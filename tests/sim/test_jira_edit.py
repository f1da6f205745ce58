"""Editing an issue in the simulated Jira (``PUT /issue/{key}``) and the same operation
under ``/rest/api/2``, where rich text is a plain string."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from pmcockpit.sim.dialects.jira import issue_key
from pmcockpit.sim.models import Issue
from pmcockpit.sim.tool import SimTool


@pytest.fixture
async def jira() -> AsyncIterator[tuple[SimTool, httpx.AsyncClient, Issue]]:
    tool = SimTool(dialect="jira", seed=7, scale=60)
    issue = min(tool.state.issues.values(), key=lambda i: i.id)
    async with tool.client() as client:
        yield tool, client, issue


async def test_put_edits_fields_and_labels(
        jira: tuple[SimTool, httpx.AsyncClient, Issue]) -> None:
    tool, client, issue = jira
    key = issue_key(tool.state, issue)
    journals = len(issue.journals)
    edited = await client.put(f"/rest/api/3/issue/{key}", json={
        "fields": {"summary": "Renamed", "priority": {"name": "Urgent"}},
        "update": {"labels": [{"add": "audit"}, {"add": "q3"}, {"remove": "q3"}]}})
    assert edited.status_code == 204
    assert (issue.subject, issue.labels) == ("Renamed", ["audit"])
    assert tool.state.priorities[issue.priority_id].name == "Urgent"
    assert len(issue.journals) == journals + 1  # the field changes; labels are no comment
    shown = await client.put(f"/rest/api/3/issue/{key}", params={"returnIssue": "true"},
                             json={"fields": {"labels": ["one", "two"]}})
    assert shown.json()["fields"]["labels"] == ["one", "two"]


async def test_put_refuses_what_it_cannot_set_and_changes_nothing(
        jira: tuple[SimTool, httpx.AsyncClient, Issue]) -> None:
    tool, client, issue = jira
    key, before = issue_key(tool.state, issue), issue.subject
    refused = await client.put(f"/rest/api/3/issue/{key}", json={
        "fields": {"summary": "x", "colour": "red"}})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"colour": "Field 'colour' cannot be set. It is not on "
                                                  "the appropriate screen, or unknown."}
    assert issue.subject == before
    malformed = await client.put(f"/rest/api/3/issue/{key}",
                                 json={"update": {"labels": ["no-operation"]}})
    assert malformed.status_code == 400 and issue.subject == before


async def test_version_2_speaks_plain_text(
        jira: tuple[SimTool, httpx.AsyncClient, Issue]) -> None:
    tool, client, issue = jira
    key = issue_key(tool.state, issue)
    await client.put(f"/rest/api/2/issue/{key}",
                     json={"fields": {"description": "Line one\n\nLine two"}})
    v2 = (await client.get(f"/rest/api/2/issue/{key}", params={"fields": "description"}))
    v3 = (await client.get(f"/rest/api/3/issue/{key}", params={"fields": "description"}))
    assert v2.json()["fields"]["description"] == "Line one\n\nLine two"
    assert v3.json()["fields"]["description"]["type"] == "doc"
    comment = await client.post(f"/rest/api/2/issue/{key}/comment", json={"body": "Plain."})
    assert comment.status_code == 201 and comment.json()["body"] == "Plain."
    as_v3 = await client.post(f"/rest/api/3/issue/{key}/comment", json={"body": "Plain."})
    assert as_v3.status_code == 400  # v3 wants a document
    shown = await client.get(f"/rest/api/2/issue/{key}/comment/{comment.json()['id']}")
    assert shown.json()["body"] == "Plain."
    missing = await client.get("/rest/api/2/nonesuch")
    assert missing.json()["errorMessages"] == ["No resource at GET /rest/api/2/nonesuch"]
