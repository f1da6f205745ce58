"""The review from the command line against the simulated Redmine over HTTP: a GBK roster
with Chinese headers, start, show, decide, apply, sign-off, export, and a leaver sweep."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pmcockpit.sim import RunningServer
from tests.commands.conftest import Cli
from tests.commands.test_connected_cli import _connect, _departed_login


def _chinese_roster(server: RunningServer, path: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["工号", "姓名", "邮箱", "账号", "部门", "在职状态", "离职日期"])
    for person in server.tool.org.employees:
        left = person.left_on
        writer.writerow([person.employee_id, person.name, person.email, person.login,
                         person.department, "离职" if left else "在职",
                         f"{left.year}年{left.month}月{left.day}日" if left else ""])
    writer.writerow(["X1", "坏行", "not-an-email", "bad", "研发部", "在职", ""])
    path.write_bytes(out.getvalue().encode("gbk", errors="replace"))
    return path


def test_review_from_roster_to_exported_evidence(cli: Cli, redmine_sim: RunningServer,
                                                 tmp_path: Path) -> None:
    _connect(cli, redmine_sim)
    assert cli("sync").exit_code == 0
    imported = cli("roster", "import", str(_chinese_roster(redmine_sim, tmp_path / "hr.csv")))
    assert imported.exit_code == 0, imported.output
    assert "gb18030" in imported.output and "line " in imported.output
    assert "not-an-email" in imported.output
    shown_roster = cli("roster", "show", "--left")
    assert "hr.csv" in shown_roster.output and "在职" not in shown_roster.output

    started = cli("review", "start")
    assert started.exit_code == 0 and "Review 1 started" in started.output
    login = _departed_login(redmine_sim)
    shown = [json.loads(line) for line in
             cli("review", "show", "1", "--rule", "departed-active", "--json").output.splitlines()]
    assert login in {row["login"] for row in shown}

    no_reason = cli("review", "decide", "1", f"rm:{login}", "--revoke", "--reason", " ")
    assert no_reason.exit_code == 2 and "justification" in no_reason.output
    assert cli("review", "decide", "1", f"rm:{login}", "--revoke",
               "--reason", "left (HR roster)").exit_code == 0

    dry = cli("review", "apply", "1", "--dry-run")
    assert dry.exit_code == 0 and "PUT /users/" in dry.output
    user = redmine_sim.tool.state.user_by_login(login)
    assert user is not None and user.status == 1
    applied = cli("review", "apply", "1", "--yes")
    assert applied.exit_code == 0, applied.output
    assert user.status == 3

    signed = cli("review", "sign-off", "1")
    assert signed.exit_code == 0 and "audit head" in signed.output
    evidence = json.loads(cli("review", "export", "1", "--format", "json").output)
    assert evidence["audit_head"] and evidence["signed_off_by"]
    [row] = [r for r in evidence["items"] if r["login"] == login]
    assert row["decision"] == "revoke" and row["applied"] == "succeeded"
    assert row["justification"] == "left (HR roster)" and row["audit_id"]
    markdown = cli("review", "export", "1", "--format", "md").output
    assert "# Permission review 1" in markdown and login in markdown
    table = cli("review", "export", "1", "--format", "csv").output
    assert "# audit_head" in table and "justification" in table


def test_sweep_dry_run_then_for_real(cli: Cli, redmine_sim: RunningServer,
                                     tmp_path: Path) -> None:
    _connect(cli, redmine_sim)
    assert cli("sync").exit_code == 0
    assert cli("roster", "import",
               str(_chinese_roster(redmine_sim, tmp_path / "hr.csv"))).exit_code == 0
    login = _departed_login(redmine_sim)
    dry = cli("sweep", login, "--dry-run")
    assert dry.exit_code == 0 and "would: Lock user" in dry.output
    assert cli("sweep", login).exit_code == 2  # a reason is required
    done = cli("sweep", login, "--reason", "left", "--yes", "--json")
    assert done.exit_code == 0, done.output
    assert [json.loads(line)["status"] for line in done.output.splitlines()
            if line.startswith("{") and '"status": "succeeded"' in line]
    user = redmine_sim.tool.state.user_by_login(login)
    assert user is not None and user.status == 3
    unknown = cli("sweep", "nobody-at-all", "--reason", "x", "--yes")
    assert unknown.exit_code == 1 and "nobody-at-all" in unknown.output
