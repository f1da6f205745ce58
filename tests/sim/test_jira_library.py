"""An administrator's script on Atlassian's own client library (the ``jira`` package)
against the simulated Jira over loopback, under ``/rest/api/2`` and ``/rest/api/3``;
every answer the simulator gives on the way is checked against Atlassian's spec."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from pmcockpit.sim.dialects.jira import ADMIN_EMAIL, project_keys
from pmcockpit.sim.http import SimRequest, SimResponse
from pmcockpit.sim.models import PROJECT_ARCHIVED, USER_ACTIVE
from pmcockpit.sim.server import serve
from pmcockpit.sim.state import ToolState
from pmcockpit.sim.tool import SimTool
from tests.connectors.jira_contract import SPEC, operation_of, schema_problems

jira_library = pytest.importorskip("jira")
Exchanges = list[tuple[SimRequest, SimResponse]]


@pytest.fixture
def served() -> Iterator[tuple[SimTool, str, Exchanges]]:
    tool = SimTool(dialect="jira", seed=7, scale=60)
    seen: Exchanges = []
    handle = tool.dialect.handle

    def recording(state: ToolState, request: SimRequest) -> SimResponse:
        response = handle(state, request)
        seen.append((request, response))
        return response

    tool.dialect = dataclasses.replace(tool.dialect, handle=recording)
    with serve(tool) as running:
        yield tool, running.url, seen


def _client(url: str, tool: SimTool, version: str) -> Any:
    return jira_library.JIRA(url, basic_auth=(ADMIN_EMAIL, tool.token),
                             options={"rest_api_version": version}, max_retries=0)


def _target(tool: SimTool) -> tuple[str, str, str]:
    """(key of the live project with most issues, key of one with people, first name of
    one of them), as an admin would type them."""
    state = tool.state
    counts = Counter(i.project_id for i in state.issues.values())
    live = [p for p in state.projects.values() if p.status != PROJECT_ARCHIVED]
    busiest = max(live, key=lambda p: counts[p.id])
    for project in sorted(live, key=lambda p: p.id):
        for member in state.memberships_of_project(project.id):
            user = state.users.get(member.principal_id)
            if user is not None and user.status == USER_ACTIVE:
                keys = project_keys(state)
                return keys[busiest.id], keys[project.id], user.firstname
    raise AssertionError("no project has people")


def _admin_script(jira: Any, target: tuple[str, str, str]) -> dict[str, Any]:
    """What an administrator's audit script does: who is there, in which groups, what is
    open and unassigned; then it tidies one issue."""
    me = jira.myself()
    key, staffed, someone = target
    assert key in {p.key for p in jira.projects()}
    jira.project_roles(key)
    fields = {f["id"] for f in jira.fields()}
    admins = jira.group_members("site-admins")
    users = jira.search_users(query="a", maxResults=20)
    assignable = jira.search_assignable_users_for_issues(query=someone,
                                                         project=staffed)
    stale = jira.search_issues(f"project = {key} AND statusCategory != Done AND "
                               f"updated <= -1d ORDER BY priority DESC, key ASC", maxResults=20)
    issue = stale[0]
    issue.update(summary="Checked by the audit", update={"labels": [{"add": "audited"}]})
    jira.add_comment(issue.key, "Seen in the quarterly audit." if jira._options[
        "rest_api_version"] == "2" else {"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text",
                                               "text": "Seen in the quarterly audit."}]}]})
    mine = jira.search_issues("labels = audited AND assignee is EMPTY OR reporter = "
                              "currentUser() ORDER BY created DESC", maxResults=50)
    return {"me": me["displayName"], "fields": fields, "admins": admins, "users": users,
            "assignable": assignable, "stale": stale, "issue": jira.issue(issue.key),
            "mine": mine, "groups": jira.groups()}


@pytest.mark.parametrize("version", ["2", "3"])
def test_admin_script_on_the_jira_package(served: tuple[SimTool, str, Exchanges],
                                          version: str) -> None:
    tool, url, _ = served
    found = _admin_script(_client(url, tool, version), _target(tool))
    assert found["me"] == "Jira Admin"
    assert {"summary", "labels", "assignee", "status"} <= found["fields"]
    assert found["admins"] and found["users"] and found["assignable"]
    assert "site-admins" in found["groups"]
    issue = found["issue"]
    assert issue.fields.summary == "Checked by the audit"
    assert issue.fields.labels == ["audited"]
    comments = [c.raw["body"] for c in issue.fields.comment.comments]
    assert any("quarterly audit" in json.dumps(body) for body in comments)
    if version == "2":  # plain text under /rest/api/2, a document under /3
        assert "Seen in the quarterly audit." in comments
    assert issue.key in {i.key for i in found["mine"]}


def test_jql_refusals_are_jiras(served: tuple[SimTool, str, Exchanges]) -> None:
    tool, url, _ = served
    jira = _client(url, tool, "3")
    key = _target(tool)[0]
    for jql, said in [
        (f"project = {key} AND colour = red", "Field 'colour' does not exist"),
        (f"project = {key} AND status > Done", "The operator '>' is not supported"),
        (f"project = {key} AND status = Nonesuch", "The value 'Nonesuch' does not exist"),
        (f"project = {key} AND assignee = membersOf(x)", "Unable to find JQL function"),
        ("ORDER BY created", "Unbounded JQL queries"),
        (f"project = {key} ORDER BY colour", "Not able to sort using field 'colour'"),
    ]:
        with pytest.raises(jira_library.JIRAError) as refused:
            jira.search_issues(jql)
        assert refused.value.status_code == 400
        assert said in refused.value.text, jql


def test_jql_relative_dates_and_lists(served: tuple[SimTool, str, Exchanges]) -> None:
    tool, url, _ = served
    jira = _client(url, tool, "3")
    key = _target(tool)[0]
    everything = jira.search_issues(f"project = {key}", maxResults=False)
    recent = jira.search_issues(f"project = {key} AND created >= -30d", maxResults=False)
    older = jira.search_issues(f"project = {key} AND created < -30d", maxResults=False)
    assert len(recent) + len(older) == len(everything) > 0
    by_priority = jira.search_issues(f"project = {key} AND priority IN (Low, Normal) "
                                     "ORDER BY priority DESC", maxResults=False)
    names = [i.fields.priority.name for i in by_priority]
    assert set(names) <= {"Low", "Normal"} and names == sorted(names, key=["Normal", "Low"].index)


@pytest.mark.skipif(not SPEC.exists(), reason="the vendor spec is not here")
@pytest.mark.parametrize("version", ["2", "3"])
def test_every_answer_fits_the_spec(served: tuple[SimTool, str, Exchanges],
                                    version: str) -> None:
    """Under /rest/api/2 too: the spec describes v3, whose operations v2 shares."""
    tool, url, seen = served
    _admin_script(_client(url, tool, version), _target(tool))
    problems = []
    for request, response in seen:
        path = request.path.replace("/rest/api/2/", "/rest/api/3/", 1)
        op = operation_of(request.method, path)
        assert op is not None, f"{request.method} {request.path}"
        if response.body and response.headers.get("Content-Type", "").startswith(
                "application/json"):
            problems += [f"{request.method} {op.template}: {p}"
                         for p in schema_problems(op, response.status, response.json())]
    assert len(seen) > 10 and problems == []
