"""The queue definition (``queue.*`` connection options) decides which tickets each
simulated tool hands over: Redmine project and tracker, Jira JQL, GitLab project and
labels."""

from __future__ import annotations

import pytest

from pmcockpit.connectors import registry
from pmcockpit.connectors.base import ConnectionConfig
from pmcockpit.core.queue_definition import check_option
from pmcockpit.sim.tool import SimTool

JIRA = {"email": "admin@example.org"}


async def keys(kind: str, options: dict[str, str]) -> list[str]:
    tool = SimTool(kind, seed=3, scale=150)
    base = JIRA if kind == "jira" else {}
    config = ConnectionConfig("q", kind, tool.url, tool.token, {**base, **options})
    connector = registry.open_connector(config, transport=tool.transport())
    try:
        return sorted(t.key for t in await connector.list_tickets())
    finally:
        await connector.aclose()


@pytest.mark.parametrize(("kind", "inside", "outside"), [
    ("redmine", {"queue.project": "pm-support", "queue.tracker": "3"},
     {"queue.project": "billing-platform"}),
    ("redmine", {"queue.tracker": "3"}, {"queue.tracker": "1"}),
    ("jira", {"queue.jql": "project = PMSUPPORT"}, {"queue.jql": "project = BILLINGPLA"}),
    ("gitlab", {"queue.labels": "support"}, {"queue.labels": "no-such-label"}),
    ("gitlab", {"queue.project": "1", "queue.labels": "support"},
     {"queue.project": "2"}),
])
async def test_the_queue_definition_selects_the_tickets_in_the_tool(
        kind: str, inside: dict[str, str], outside: dict[str, str]) -> None:
    everything = await keys(kind, {})
    assert everything
    assert await keys(kind, inside) == everything  # the sim's tickets all match it
    assert await keys(kind, outside) == []


@pytest.mark.parametrize(("kind", "key", "value", "problem"), [
    ("redmine", "queue.jql", "x", "redmine queues know"),
    ("redmine", "queue.tracker", "Support", "takes a number"),
    ("jira", "queue.labels", "a", "jira queues know"),
])
def test_a_wrong_queue_option_is_refused_with_what_is_known(
        kind: str, key: str, value: str, problem: str) -> None:
    assert problem in (check_option(kind, key, value) or "")
    assert check_option(kind, "queue.resolve_status", "Done") is None
