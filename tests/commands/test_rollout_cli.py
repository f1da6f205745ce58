"""``pmcockpit rollout``: new, advance refused then allowed, change requests, the report."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result

from pmcockpit.cli import main
from pmcockpit.core.rollout import break_in_end


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", f"sqlite:///{db}", "rollout", *args])


def test_rollout_commands_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    made = run(db, "new", "Template v2", "--kind", "template", "--start", "2025-03-03",
               "--break-in-months", "3", "--owner", "Li Na", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["phase"] == "test"
    assert json.loads(made.stdout)["owner"] == "Li Na"

    refused = run(db, "advance", "Template v2")
    assert refused.exit_code == 1
    assert "Tested with one team" in refused.stderr

    no_run = run(db, "tick", "Template v2", "tested", "--checklist-run", "99")
    assert no_run.exit_code == 1 and "no checklist run 99" in no_run.stderr
    assert run(db, "tick", "Template v2", "tested", "Finance tried it for a week").exit_code == 0
    assert run(db, "rollback-plan", "Template v2",
               "Switch the projects back to the v1 template.").exit_code == 0
    moved = run(db, "advance", "Template v2", "--json")
    assert json.loads(moved.stdout) == {"left": "Test", "entered": "Roll out"}

    raised = run(db, "cr", "add", "Template v2", "Add a due-date field", "--priority", "high",
                 "--json")
    change_id = json.loads(raised.stdout)["id"]
    no_reason = run(db, "cr", "decide", "Template v2", str(change_id), "accepted",
                    "--reason", " ")
    assert no_reason.exit_code == 1 and "say why" in no_reason.stderr
    assert run(db, "cr", "decide", "Template v2", str(change_id), "accepted", "--reason",
               "Asked by three teams").exit_code == 0

    assert run(db, "risk", "Template v2", "Sales ignores the new field", "--impact", "high",
               "--mitigation", "Show it in the weekly meeting").exit_code == 0
    too_many = run(db, "training", "Template v2", "Sales", "2025-03-05", "--invited", "5",
                   "--attended", "7")
    assert too_many.exit_code == 1 and "more attended" in too_many.stderr
    assert run(db, "training", "Template v2", "Sales", "2025-03-05", "--invited", "8",
               "--attended", "7").exit_code == 0

    assert run(db, "wave", "Template v2", "Wave A", "--team", "Sales").exit_code == 0
    assert run(db, "wave", "Template v2", "Wave A", "--status", "live").exit_code == 0

    listed = run(db, "list")
    assert listed.stdout.split()[:2] == ["Template", "v2"]
    report = run(db, "report", "Template v2")
    assert report.exit_code == 0
    assert report.stdout.startswith("# Template v2")
    assert "- #1 Add a due-date field (impact medium, priority high): accepted by" in \
        report.stdout
    assert "- (high) Sales ignores the new field: Show it in the weekly meeting" in report.stdout
    assert "- 2025-03-05 Sales: 7 of 8 attended" in report.stdout
    data = json.loads(run(db, "report", "Template v2", "--format", "json").stdout)
    assert data["phases"][0]["actual_end"] is not None
    wave = data["waves"][0]
    assert (wave["status"], wave["teams"]) == ("live", ["Sales"])
    assert wave["break_in_end"] == break_in_end(date.fromisoformat(wave["go_live"]),
                                                3).isoformat()
    assert data["training"] == [{"team": "Sales", "held_on": "2025-03-05", "invited": 8,
                                 "attended": 7}]
    assert data["changes"][0]["reason"] == "Asked by three teams"
    assert data["phases"][0]["actual_end"] is not None
    wave = data["waves"][0]
    assert (wave["status"], wave["teams"]) == ("live", ["Sales"])
    assert wave["break_in_end"] == break_in_end(date.fromisoformat(wave["go_live"]),
                                                3).isoformat()


def test_unknown_rollout_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path / "cli.db", "advance", "Nope")
    assert result.exit_code == 2
    assert "no rollout 'Nope'" in result.stderr


def test_teams_and_the_linked_upgrade_checklist_from_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run(db, "new", "Redmine 6", "--kind", "upgrade", "--target-version", "6.0.1",
               "--start", "2025-03-03").exit_code == 0
    no_wave = run(db, "team", "Redmine 6", "Wave 1", "Legal", "--group", "Legal")
    assert no_wave.exit_code == 1 and "has no wave Wave 1" in no_wave.stderr
    assert run(db, "wave", "Redmine 6", "Wave 1", "--team", "Finance").exit_code == 0
    assert run(db, "team", "Redmine 6", "Wave 1", "Legal", "--expected", "4").exit_code == 0
    twice = run(db, "team", "Redmine 6", "Wave 1", "Legal")
    assert twice.exit_code == 1 and "has a team Legal already" in twice.stderr

    opened = run(db, "checklist", "Redmine 6", "pre-upgrade", "--done", "release-notes",
                 "--done", "backup-restorable", "--json")
    assert opened.exit_code == 0, opened.output
    shown = json.loads(opened.stdout)
    assert [s["state"] for s in shown["steps"]][:3] == ["done", "done", "pending"]
    again = run(db, "checklist", "Redmine 6", "pre-upgrade")
    assert f"Checklist run {shown['run']} (2 of 6 settled):" in again.stdout
    typo = run(db, "checklist", "Redmine 6", "pre-upgrade", "--done", "backups")
    assert typo.exit_code == 2 and "no step 'backups'" in typo.stderr
    unknown = run(db, "checklist", "Redmine 6", "nightly")
    assert unknown.exit_code == 1 and "no upgrade checklist nightly" in unknown.stderr


def test_a_rollout_of_chosen_connections(tmp_path: Path) -> None:
    from pmcockpit.storage import connections
    from pmcockpit.storage.db import open_database

    db = tmp_path / "cli.db"
    database = open_database(f"sqlite:///{db}")
    with database.session() as session:
        for name in ("jira", "gitlab", "redmine"):
            connections.add(session, name, name, f"https://{name}.example", {})
    database.dispose()
    made = run(db, "new", "Jira and GitLab", "--kind", "integration", "--connection", "jira",
               "--connection", "gitlab", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["connection"] == "gitlab, jira"
    typo = run(db, "new", "Typo", "--kind", "adoption", "--connection", "jira",
               "--connection", "gitlba")
    assert typo.exit_code == 2 and "gitlba" in typo.stderr
    assert run(db, "show", "Typo").exit_code == 2  # refused whole
