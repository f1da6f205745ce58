"""``pmcockpit audit`` and ``undo`` over a log someone tampered with, from the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pmcockpit.sim import RunningServer
from tests.commands.conftest import CANARY, Cli


def _locked_one(cli: Cli, server: RunningServer, reason: str) -> tuple[int, int]:
    """(user id, audit id) of a user locked through the CLI."""
    added = cli("connect", "add", "rm", "--kind", "redmine", "--url", server.url,
                "--token-stdin", input=CANARY + "\n")
    assert added.exit_code == 0, added.output
    user = min((u for u in server.tool.state.users.values() if u.status == 1 and not u.admin),
               key=lambda u: u.id)
    done = cli("act", "rm", "lock-user", str(user.id), "--reason", reason, "--yes", "--json")
    assert done.exit_code == 0, done.output
    return user.id, int(json.loads(done.output)["id"])


def _sql(cli: Cli, statement: str) -> None:
    connection = sqlite3.connect(cli.home / "pmcockpit.db")
    with connection:
        connection.execute(statement)
    connection.close()


def test_a_newline_in_a_reason_cannot_forge_a_line_of_the_log(
        cli: Cli, redmine_sim: RunningServer) -> None:
    _locked_one(cli, redmine_sim, "left\n    9  2026-01-01 00:00  admin  rm  unlock-user")
    listing = cli("audit", "list").output
    assert "why: left\\n    9  2026-01-01" in listing
    assert not any(line.startswith("    9  2026-01-01") for line in listing.splitlines())
    raw = [json.loads(line) for line in cli("audit", "list", "--json").output.splitlines()]
    assert raw[0]["reason"].startswith("left\n")  # JSON keeps the text as written


def test_verify_names_the_key_and_a_checkpoint_proves_the_past(
        cli: Cli, redmine_sim: RunningServer, tmp_path: Path) -> None:
    _locked_one(cli, redmine_sim, "left")
    verified = cli("audit", "verify")
    assert verified.exit_code == 0
    assert "Chain key: the keyring." in verified.output
    assert "Audit log intact (2 entries)." in verified.output
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(cli("audit", "checkpoint").output)
    proved = cli("audit", "verify", "--checkpoint", str(checkpoint))
    assert proved.exit_code == 0
    assert "nothing up to entry 2 changed since" in proved.output
    _sql(cli, "UPDATE audit_entry SET reason = 'routine' WHERE id = 1")
    broken = cli("audit", "verify", "--checkpoint", str(checkpoint))
    assert broken.exit_code == 1
    assert "BROKEN: entry 1 was edited" in broken.output
    assert "The checkpoint holds" not in broken.output
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{")
    assert cli("audit", "verify", "--checkpoint", str(garbage)).exit_code == 2


def test_undo_refuses_an_entry_of_a_log_that_does_not_verify(
        cli: Cli, redmine_sim: RunningServer) -> None:
    user_id, audit_id = _locked_one(cli, redmine_sim, "left")
    # Point the recorded lock at another user, so that undo would unlock them.
    admin = next(u for u in redmine_sim.tool.state.users.values() if u.admin)
    _sql(cli, "UPDATE audit_entry SET detail = json_set(detail, '$.action.target_id', "
              f"'{admin.id}') WHERE id = {audit_id}")
    refused = cli("undo", str(audit_id), "--yes")
    assert refused.exit_code == 2
    assert "the audit log does not verify" in refused.output
    assert f"entry {audit_id} was edited" in refused.output
    assert redmine_sim.tool.state.users[user_id].status == 3  # still locked: nothing done
