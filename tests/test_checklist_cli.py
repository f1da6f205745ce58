"""``pmcockpit checklist`` and ``pmcockpit report``: exit codes, output and JSON.

The commands run through ``CliRunner`` with the workspace's connector pointed at the
simulated Redmine (``real_workspace`` is replaced), so nothing real is touched.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pmcockpit.commands import checklist as checklist_commands
from pmcockpit.commands import report as report_commands
from pmcockpit.commands.context import CliContext
from pmcockpit.config import Settings
from pmcockpit.services import opener
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import Database
from tests.services.checklist_sim import OPERATOR, SimSetup, local_template, sim_setup

SIM_TEMPLATE = '''\
name = "Tools"
recurrence = "daily"

[[steps]]
id = "up"
title = "Tools up"
check = "tool-reachable"

[[steps]]
id = "admins"
title = "Admin count"
check = "admin-count"
[steps.params]
max = 0
'''


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimSetup:
    setup = sim_setup(tmp_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "db.sql.gz").write_bytes(b"backup")
    setup.write_template("local-checks", local_template(backups))
    setup.write_template("failing", local_template(backups, "echo no space left; exit 2"))
    setup.write_template("tools", SIM_TEMPLATE)

    def sim_workspace(_settings: Settings, _db: Database) -> Workspace:
        return setup.workspace

    # The commands import it when they run (lazily, for a fast --help): patch its home.
    monkeypatch.setattr(opener, "real_workspace", sim_workspace)
    return setup


def invoke(setup: SimSetup, group: click.Group, *args: str) -> Result:
    return CliRunner().invoke(group, list(args), obj=CliContext(setup.workspace.settings))


def checklist(setup: SimSetup, *args: str) -> Result:
    return invoke(setup, checklist_commands.checklist, *args)


def test_all_checks_passing_exits_0(setup: SimSetup) -> None:
    result = checklist(setup, "run", "local-checks", "--auto")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Local checks: ")
    assert "  PASS   Backup written: " in result.stdout
    assert "  PASS   Health script: exit 0" in result.stdout
    assert "  -      Look at the logs (manual: pending)" in result.stdout
    assert lines[-1] == "all checks passed; progress 2/3 steps settled"


def test_a_failing_check_exits_1_and_says_why(setup: SimSetup) -> None:
    result = checklist(setup, "run", "failing", "--auto")
    assert result.exit_code == 1
    assert "  FAIL   Health script: exit 2" in result.stdout
    assert "no space left" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("some checks FAILED")


def test_a_warning_is_printed_but_passes(setup: SimSetup) -> None:
    asyncio.run(setup.sync())
    result = checklist(setup, "run", "tools", "--auto")
    assert result.exit_code == 0, result.output
    assert "  PASS   Tools up: up" in result.stdout
    assert "  WARN   Admin count: " in result.stdout
    assert result.stdout.splitlines()[-1].startswith("all checks passed, 1 with warnings")


def test_json_output_carries_the_evidence(setup: SimSetup) -> None:
    result = checklist(setup, "run", "failing", "--auto", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["template"], data["status"], data["complete"]) == ("failing", "fail", False)
    assert data["operator"] == OPERATOR and (data["done"], data["total"]) == (1, 3)
    steps = {step["id"]: step for step in data["steps"]}
    assert steps["script"]["status"] == "fail" and steps["script"]["value"] == "exit 2"
    assert steps["script"]["state"] == "failed" and steps["script"]["measured_at"]
    assert steps["script"]["operator"] == OPERATOR
    assert steps["look"]["status"] is None and steps["look"]["state"] == "pending"


def test_usage_and_configuration_errors_exit_2(setup: SimSetup) -> None:
    unknown = checklist(setup, "run", "dayly-inspection", "--auto")
    assert unknown.exit_code == 2
    assert "no checklist template 'dayly-inspection'" in unknown.stderr
    assert "daily-inspection" in unknown.stderr and "local-checks" in unknown.stderr
    broken = setup.write_template("broken", 'name = "x"\nrecurrence = "hourly"\n')
    malformed = checklist(setup, "run", "broken", "--auto")
    assert malformed.exit_code == 2
    assert f"{broken}:2: unknown recurrence 'hourly'" in malformed.stderr
    assert checklist(setup, "run", "local-checks").exit_code == 2  # without --auto


def test_checks_of_the_synced_state_before_any_sync_are_errors(setup: SimSetup) -> None:
    result = checklist(setup, "run", "tools", "--auto")
    assert result.exit_code == 1
    assert "  ERROR  Admin count: error" in result.stdout
    assert "no tool has been synced yet" in result.stdout


def test_validate(setup: SimSetup, tmp_path: Path) -> None:
    good = setup.templates_dir / "tools.toml"
    ok = checklist(setup, "validate", str(good))
    assert ok.exit_code == 0
    assert ok.stdout.startswith(f"{good}: ok: 'Tools' (tools), every day, due within 0 days, "
                                "2 steps (2 automated)")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "Bad"\nrecurrence = "weekly"\ndue_within_days = -2\n\n[[steps]]\n'
                   'title = "x"\ncheck = "smtp"\n')
    failed = checklist(setup, "validate", str(good), str(bad))
    assert failed.exit_code == 1
    assert failed.stderr.splitlines() == [
        f"{bad}:3: due_within_days must be a whole number of days from 0 (due on the "
        "period's first day), such as 2, not an integer (-2)",
        f"{bad}:7: step 1 (\"x\"): smtp needs the parameter 'host' (Mail server host name)",
    ]
    assert checklist(setup, "validate", str(tmp_path / "missing.toml")).exit_code == 2


def test_list_and_history(setup: SimSetup) -> None:
    assert checklist(setup, "run", "local-checks", "--auto").exit_code == 0
    listing = checklist(setup, "list", "--json")
    assert listing.exit_code == 0
    rows = {row["template"]: row for row in json.loads(listing.stdout)}
    assert (rows["local-checks"]["done"], rows["local-checks"]["total"]) == (2, 3)
    assert rows["weekly-cleanup"]["run_id"] is None
    text = checklist(setup, "list")
    assert "local-checks" in text.stdout
    history = checklist(setup, "history", "local-checks", "--json")
    assert history.exit_code == 0
    data = json.loads(history.stdout)
    assert data["periods"][0]["outcome"] == "open" and data["rate"] is None
    assert checklist(setup, "history", "nope").exit_code == 2


def test_report_monthly_writes_markdown(setup: SimSetup, tmp_path: Path) -> None:
    assert checklist(setup, "run", "failing", "--auto").exit_code == 1
    target = tmp_path / "bulletin.md"
    result = invoke(setup, report_commands.report, "monthly", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote the bulletin for ")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Operations bulletin — ")
    assert "## Checklists" in text and "| failing |" not in text and "| Local checks |" in text
    printed = invoke(setup, report_commands.report, "monthly", "--month", "2026-13")
    assert printed.exit_code == 2 and "YYYY-MM" in printed.stderr


def test_validate_a_deeply_nested_template(setup: SimSetup, tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text('name = "Deep"\nrecurrence = "daily"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    result = checklist(setup, "validate", str(deep))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{deep}:3: brackets are nested more than 16 deep; a template needs far fewer"]
