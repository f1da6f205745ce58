"""connect, sync, act, undo and audit from the command line, against a tool over HTTP."""

from __future__ import annotations

import json

import pytest

from pmcockpit.sim import RunningServer
from tests.commands.conftest import CANARY, Cli


def _connect(cli: Cli, server: RunningServer, token: str = CANARY) -> None:
    result = cli("connect", "add", "rm", "--kind", "redmine", "--url", server.url,
                 "--token-stdin", input=token + "\n")
    assert result.exit_code == 0, result.output
    assert "Token works: it belongs to admin (an administrator)" in result.output


def _departed_login(server: RunningServer) -> str:
    state = server.tool.state
    for person in server.tool.org.people:
        user = state.user_by_login(person.login)
        if person.left_on and user is not None and user.status == 1 and not user.admin:
            return person.login
    raise AssertionError("the seeded organisation has no departed active user")


def test_connect_stores_the_token_in_the_keyring_only(cli: Cli, redmine_sim: RunningServer
                                                      ) -> None:
    _connect(cli, redmine_sim)
    assert cli.keyring.passwords == {("pmcockpit", "rm"): CANARY}
    listing = json.loads(cli("connect", "list", "--json").output)
    assert [(c["name"], c["kind"], c["token"]) for c in listing] == [("rm", "redmine", "keyring")]


def test_a_wrong_token_is_refused_and_nothing_is_stored(cli: Cli, redmine_sim: RunningServer
                                                        ) -> None:
    result = cli("connect", "add", "rm", "--kind", "redmine", "--url", redmine_sim.url,
                 "--token-stdin", input="not-the-token\n")
    assert result.exit_code == 1
    assert "wrong or expired" in result.output and "Nothing was stored" in result.output
    assert "not-the-token" not in result.output
    assert cli.keyring.passwords == {}
    assert "No connections yet" in cli("connect", "list").output


def test_an_environment_token_wins_and_is_never_stored(
    cli: Cli, redmine_sim: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMCOCKPIT_TOKEN_RM", CANARY)
    result = cli("connect", "add", "rm", "--kind", "redmine", "--url", redmine_sim.url)
    assert result.exit_code == 0, result.output
    assert "Using the token from PMCOCKPIT_TOKEN_RM; nothing is stored." in result.output
    assert cli.keyring.passwords == {}
    assert cli("sync", "rm").exit_code == 0


def test_act_undo_and_audit_end_to_end(cli: Cli, redmine_sim: RunningServer) -> None:
    _connect(cli, redmine_sim)
    synced = json.loads(cli("sync", "--json").output)
    assert synced[0]["ok"] and synced[0]["counts"]["accounts"] > 50
    login = _departed_login(redmine_sim)
    user = redmine_sim.tool.state.user_by_login(login)
    assert user is not None

    preview = cli("act", "rm", "lock-user", login, "--reason", "left", "--dry-run")
    assert preview.exit_code == 0
    assert f"PUT /users/{user.id}.json" in preview.output
    assert user.status == 1  # a dry run changes nothing

    missing_reason = cli("act", "rm", "lock-user", login, "--yes")
    assert missing_reason.exit_code == 2
    assert "a reason is required" in missing_reason.output

    done = cli("act", "rm", "lock-user", login, "--reason", "left 2026-10-31", "--yes", "--json")
    assert done.exit_code == 0, done.output
    outcome = json.loads(done.output)
    assert outcome["status"] == "succeeded" and outcome["error"] is None
    assert redmine_sim.tool.state.user_by_login(login).status == 3  # type: ignore[union-attr]

    undone = cli("undo", str(outcome["id"]), "--yes", "--json")
    assert undone.exit_code == 0, undone.output
    assert json.loads(undone.output)["action"]["kind"] == "unlock-user"
    assert redmine_sim.tool.state.user_by_login(login).status == 1  # type: ignore[union-attr]
    again = cli("undo", str(outcome["id"]), "--yes")
    assert again.exit_code == 2 and "already undone" in again.output

    self_lock = cli("act", "rm", "lock-user", "admin", "--reason", "test", "--yes", "--json")
    assert self_lock.exit_code == 1
    assert "token belongs to" in json.loads(self_lock.output)["error"]

    read_only = cli("--read-only", "act", "rm", "unlock-user", login, "--json")
    assert read_only.exit_code == 1
    assert json.loads(read_only.output)["status"] == "refused"

    listing = cli("audit", "list", "--json").output.splitlines()
    statuses = [json.loads(line)["status"] for line in listing]
    # Each action that reached the tool: its intent first, then its outcome.
    assert statuses == ["refused", "failed", "succeeded", "intent", "succeeded", "intent"]
    assert [json.loads(line)["intent_id"] for line in listing][2:5:2] == [
        json.loads(listing[3])["id"], json.loads(listing[5])["id"]]
    verified = cli("audit", "verify")
    assert verified.exit_code == 0 and "intact" in verified.output


def test_the_token_never_reaches_a_file_or_the_output(cli: Cli, redmine_sim: RunningServer
                                                      ) -> None:
    _connect(cli, redmine_sim)
    cli("sync")
    login = _departed_login(redmine_sim)
    cli("act", "rm", "lock-user", login, "--reason", "left", "--yes")
    cli("act", "rm", "lock-user", "admin", "--reason", "refused: own account", "--yes")
    redmine_sim.tool.faults.server_error(status=500, times=10)
    cli("act", "rm", "unlock-user", login, "--json")
    cli("sync", "--json")
    cli("connect", "list", "--json")
    cli("connect", "test", "rm")
    cli("audit", "list", "--json")
    written = [p for p in cli.home.rglob("*") if p.is_file()]
    assert any(p.name.startswith("pmcockpit.db") for p in written)
    for path in written:
        assert CANARY.encode() not in path.read_bytes(), path
    assert len(cli.outputs) == 9
    for output in cli.outputs:
        assert CANARY not in output


def test_inherited_membership_removal_says_what_to_do(cli: Cli, redmine_sim: RunningServer
                                                      ) -> None:
    _connect(cli, redmine_sim)
    cli("sync")
    state = redmine_sim.tool.state
    inherited = next(m for m in state.members.values()
                     if m.principal_id in state.users and m.grants and not m.direct_role_ids)
    result = cli("act", "rm", "remove-membership", str(inherited.id), "--reason", "moved team",
                 "--yes", "--json")
    assert result.exit_code == 1
    error = json.loads(result.output)["error"]
    assert "comes from group" in error


def test_act_list_names_what_each_connection_offers(cli: Cli, redmine_sim: RunningServer
                                                    ) -> None:
    _connect(cli, redmine_sim)
    result = cli("act", "--list")
    assert result.exit_code == 0, result.output
    assert "rm (redmine):" in result.output
    assert "lock-user              Lock user (target: user)" in result.output
    assert "deactivate-user        not offered: Redmine has no deactivation" in result.output


def test_a_mass_drop_is_refused_until_accepted(cli: Cli, redmine_sim: RunningServer) -> None:
    _connect(cli, redmine_sim)
    assert cli("sync", "rm").exit_code == 0
    state = redmine_sim.tool.state
    gone = [u.id for u in state.users.values() if not u.admin][: len(state.users) // 2]
    with state.lock:
        for user_id in gone:
            state.delete_user(user_id)

    refused = cli("sync", "rm")
    assert refused.exit_code == 1
    assert f"rm: FAILED: rm: this sync would remove {len(gone)} of " in refused.output
    assert "`pmcockpit sync rm --accept-drop`" in refused.output
    assert "(the previous state is kept)" in refused.output
    listed = json.loads(cli("sync", "rm", "--json").output)
    assert listed[0]["refused_drop"] is True

    accepted = json.loads(cli("sync", "rm", "--accept-drop", "--json").output)
    assert accepted[0]["ok"], accepted
    assert accepted[0]["counts"]["accounts"] == len(state.users)


def test_credentials_in_the_url_are_refused_before_the_token_is_read(
        cli: Cli, redmine_sim: RunningServer) -> None:
    url = redmine_sim.url.replace("http://", "http://admin:PW-canary@") + f"/?key={CANARY}"
    result = cli("connect", "add", "rm", "--kind", "redmine", "--url", url, "--token-stdin",
                 input=CANARY + "\n")
    assert result.exit_code == 2
    assert "the URL carries a credential (a user name or password before the host, the query " \
           "parameter key); nothing was stored" in result.output
    assert "PW-canary" not in result.output and CANARY not in result.output
    assert cli.keyring.passwords == {}
    assert "No connections yet" in cli("connect", "list").output


def test_a_bad_name_is_refused_with_the_rule(cli: Cli, redmine_sim: RunningServer) -> None:
    result = cli("connect", "add", "t;rm -rf", "--kind", "redmine", "--url", redmine_sim.url,
                 "--token-stdin", input=CANARY + "\n")
    assert result.exit_code == 2
    assert "t;rm -rf cannot name a connection: a name is 1 to 32 letters" in result.output
    _connect(cli, redmine_sim)
    clash = cli("connect", "add", "RM", "--kind", "redmine", "--url", redmine_sim.url,
                "--token-stdin", input=CANARY + "\n")
    assert clash.exit_code == 2
    assert "would share the token variable PMCOCKPIT_TOKEN_RM with the connection rm" \
        in clash.output


def test_connect_test_says_what_the_connection_offers(cli: Cli, redmine_sim: RunningServer
                                                      ) -> None:
    _connect(cli, redmine_sim)
    result = cli("connect", "test", "rm")
    assert result.exit_code == 0, result.output
    assert "  offers: lock-user, unlock-user, remove-membership" in result.output
    assert "  not offered: deactivate-user: Redmine has no deactivation" in result.output
