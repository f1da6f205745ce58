"""Two operators, two pmcockpit processes (each its own engine) on one database: a step
ticked by one shows in the other's view when it refreshes, and steps ticked by both are
all kept. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pmcockpit.core.checklist import StepState
from pmcockpit.services import checklist as service
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.db import open_database
from tests.services.checklist_sim import OPERATOR, local_template, sim_setup

MONDAY_9AM = datetime(2026, 11, 2, 9, 0)


def _second_operator(first: Workspace, name: str) -> Workspace:
    """Another process on the same database: its own engine, its own operator."""
    db = open_database(str(first.db.engine.url.render_as_string(hide_password=False)))
    return Workspace(replace(first.settings, operator=name), db, first.open_connector)


def test_a_step_ticked_by_one_operator_shows_in_the_others_view(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path, with_connection=False)
    setup.write_template("local-checks", local_template(tmp_path))
    alice = setup.workspace
    bob = _second_operator(alice, "bob")
    try:
        mine = service.open_current_run(alice, "local-checks", MONDAY_9AM)
        theirs = service.open_current_run(bob, "local-checks", MONDAY_9AM)
        assert theirs.id == mine.id  # one run for the team
        assert theirs.run.step("look").state is StepState.PENDING
        service.toggle_step(alice, mine.id, "look", MONDAY_9AM)
        refreshed = service.load_run(bob, theirs.id)  # bob's view, refreshed
        assert refreshed.run.step("look").state is StepState.DONE
        assert refreshed.evidence("look").operator == OPERATOR  # the first operator
        [item] = [i for i in service.due_overview(bob, MONDAY_9AM)
                  if i.template.key == "local-checks"]
        assert str(item.progress) == "1/3"
        service.mark_step(bob, theirs.id, "script", StepState.SKIPPED, "not this week",
                          MONDAY_9AM)
        both = service.load_run(alice, mine.id)  # alice's, refreshed: both changes kept
        assert [both.run.step(s).state for s in ("look", "script")] == [
            StepState.DONE, StepState.SKIPPED]
        assert both.run.step("script").note == "not this week"
        assert both.evidence("script").operator == "bob"
    finally:
        bob.db.dispose()
