"""A Jira connection from the command line: the admin API key is a second keyring secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from pmcockpit.sim import RunningServer, SimTool, serve
from tests.commands.conftest import Cli


@pytest.fixture
def jira_sim() -> Iterator[RunningServer]:
    with serve(SimTool("jira", seed=7, scale=60)) as running:
        yield running


def test_connect_with_admin_key_then_suspend_through_the_admin_api(
    cli: Cli, jira_sim: RunningServer
) -> None:
    tool = jira_sim.tool
    hook = tool.dialect.connector_options
    assert hook is not None
    options = dict(hook(tool.state, jira_sim.url))
    admin_key = options.pop("admin_api_key")
    flags = [arg for key, value in options.items() for arg in ("--option", f"{key}={value}")]
    sneaked = cli("connect", "add", "jr", "--kind", "jira", "--url", jira_sim.url,
                  "--option", f"admin_api_key={admin_key}", "--token-stdin",
                  input=tool.token + "\n")
    assert sneaked.exit_code == 2 and "secrets are not options" in sneaked.output

    added = cli("connect", "add", "jr", "--kind", "jira", "--url", jira_sim.url, *flags,
                "--admin-key", "--token-stdin", input=f"{tool.token}\n{admin_key}\n")
    assert added.exit_code == 0, added.output
    assert cli.keyring.passwords == {("pmcockpit", "jr"): tool.token,
                                     ("pmcockpit", "jr-admin"): admin_key}

    assert cli("sync", "jr").exit_code == 0
    offered = cli("act", "--list").output
    assert "lock-user              Suspend access" in offered  # suspension needs the admin API

    person = next(p for p in tool.org.people
                  if "jira" in p.tools and p.left_on and not p.is_admin)
    login = person.email.split("@")[0]
    done = cli("act", "jr", "lock-user", login, "--reason", "left", "--yes", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["status"] == "succeeded"
    suspended = tool.state.user_by_login(person.login)
    assert suspended is not None and suspended.status == 3  # locked: access suspended

    removed = cli("connect", "remove", "jr", "--yes")
    assert removed.exit_code == 0
    # The tokens are gone; the audit log's key stays with the installation.
    assert [k for k in cli.keyring.passwords if k[0] == "pmcockpit"] == []
    for output in cli.outputs:
        assert admin_key not in output and tool.token not in output
