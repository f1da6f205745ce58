"""`act CONNECTION remove-admin LOGIN` against the simulated Redmine over HTTP, undone
with `undo`; `roster link` checks its arguments and the person."""

from __future__ import annotations

import json

from pmcockpit.sim import RunningServer
from tests.commands.conftest import CANARY, Cli


def test_remove_admin_then_undo_from_the_cli(cli: Cli, redmine_sim: RunningServer) -> None:
    added = cli("connect", "add", "rm", "--kind", "redmine", "--url", redmine_sim.url,
                "--token-stdin", input=CANARY + "\n")
    assert added.exit_code == 0, added.output
    state = redmine_sim.tool.state
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.login)
                if not u.admin and u.status == 1)
    user.admin = True
    assert cli("sync", "--json").exit_code == 0

    preview = cli("act", "rm", "remove-admin", user.login, "--reason", "left ops", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert f"PUT /users/{user.id}.json" in preview.output and user.admin

    done = cli("act", "rm", "remove-admin", user.login, "--reason", "left ops", "--yes",
               "--json")
    assert done.exit_code == 0, done.output
    outcome = json.loads(done.output)
    assert outcome["status"] == "succeeded" and not state.users[user.id].admin

    undone = cli("undo", str(outcome["id"]), "--yes", "--json")
    assert undone.exit_code == 0, undone.output
    assert json.loads(undone.output)["action"]["kind"] == "grant-admin"
    assert state.users[user.id].admin

    again = cli("act", "rm", "remove-admin", "admin", "--reason", "x", "--yes", "--json")
    assert again.exit_code == 1 and "lose API access" in json.loads(again.output)["error"]


def test_roster_link_needs_connection_and_login(cli: Cli) -> None:
    bad = cli("roster", "link", "just-a-login", "--to", "someone@example.org")
    assert bad.exit_code == 2 and "connection:login" in bad.output
    nobody = cli("roster", "link", "rm:alice", "--to", "nobody at all")
    assert nobody.exit_code == 1 and "neither on the roster" in nobody.output
    linked = cli("roster", "link", "rm:alice", "rm:alice2", "--to", "Alice@Example.org")
    assert linked.exit_code == 0, linked.output
    assert "Linked 2 accounts to alice@example.org." in linked.output
