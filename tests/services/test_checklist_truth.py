"""Checklist truth: a run done with a failed step never reads clean (list, home), stays on
the home view for the day; a fresh installation is not overdue on what it never ran."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pmcockpit.core.checklist import DueState, StepState
from pmcockpit.core.clock import to_utc
from pmcockpit.screens.home_text import checklist_text
from pmcockpit.services import checklist as service
from pmcockpit.storage.queries.home import HomeSummary
from pmcockpit.widgets.checklist_items import due_cell
from tests.installed import installed_on
from tests.services.checklist_sim import local_template, sim_setup

MONDAY_9AM = datetime(2026, 11, 2, 9, 0)


def test_a_fresh_installation_is_not_overdue_on_what_it_never_ran(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path, with_connection=False)
    items = service.due_overview(setup.workspace, MONDAY_9AM + timedelta(hours=8))
    survey = next(i for i in items if i.template.key == "quarterly-satisfaction-survey")
    assert survey.state is DueState.DUE and survey.due_at.date() == datetime(2026, 12, 31).date()
    assert not any(item.overdue for item in items)
    # Installed long ago: the survey due on 22 October is overdue.
    installed_on(setup.workspace.db)
    items = service.due_overview(setup.workspace, MONDAY_9AM)
    assert any(i.overdue and i.template.key == "quarterly-satisfaction-survey" for i in items)


def test_a_run_done_with_a_failure_says_so_in_the_list_and_on_home(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path, with_connection=False)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "db.sql.gz").write_bytes(b"backup")
    setup.write_template("local-checks", local_template(backups))
    ws = setup.workspace
    run = service.open_current_run(ws, "local-checks", MONDAY_9AM)
    service.mark_step(ws, run.id, "backup", StepState.DONE, "looked at it", MONDAY_9AM)
    service.mark_step(ws, run.id, "script", StepState.FAILED, "the script hung; restarted",
                      MONDAY_9AM)
    service.mark_step(ws, run.id, "look", StepState.DONE, "", MONDAY_9AM)
    later = MONDAY_9AM + timedelta(hours=3)
    item = next(i for i in service.due_overview(ws, later)
                if i.template.key == "local-checks")
    assert item.state is DueState.DONE and item.failures == 1
    assert str(due_cell(item, later)) == "⚠ done with 1 failure"

    due = service.checklists_due(ws, later)
    assert [(d.name, d.failures) for d in due if d.failures] == [("Local checks", 1)]
    _lead, rows = checklist_text(HomeSummary(now=to_utc(later), checklist_runs=tuple(due)))
    assert any("Local checks  done with 1 failure" in str(row) for row in rows)
    # The next day it has left the home view.
    tomorrow = service.checklists_due(ws, later + timedelta(days=1))
    assert not any(d.failures for d in tomorrow)


async def test_the_built_in_targets_come_from_config(tmp_path: Path) -> None:
    from dataclasses import replace

    from pmcockpit.core.checklist import CheckStatus
    from pmcockpit.core.clock import utcnow
    from pmcockpit.services.checks import CheckMeasurer

    setup = sim_setup(tmp_path, with_connection=False)
    measurer = CheckMeasurer(setup.workspace, utcnow())
    unset = await measurer.measure("recent-file", {"path": "config:backup_path",
                                                   "max_age_hours": 26})
    assert (unset.status, unset.value) == (CheckStatus.WARN, "not configured")
    assert unset.message.startswith("not configured: set backup_path in the config")
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "db.sql.gz").write_bytes(b"backup")
    setup.workspace.settings = replace(setup.workspace.settings, backup_path=str(backups))
    found = await CheckMeasurer(setup.workspace, utcnow()).measure(
        "recent-file", {"path": "config:backup_path", "max_age_hours": 26})
    assert found.status is CheckStatus.PASS and str(backups) in found.message
