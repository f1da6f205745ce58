"""The checklist screens through Pilot at 80x24, driven by keys only.

The acceptance run uses the daily inspection pointed at a fresh backup file and a
loopback mail server, on a workspace whose connector talks to the simulated Redmine
(as the demo does), on a file database so the thread workers share it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.core.checklist import CheckStatus, StepState
from pmcockpit.core.clock import to_local, utcnow
from pmcockpit.messages import ChecksProgressed
from pmcockpit.screens.checklist import ChecklistScreen
from pmcockpit.screens.checklist_history import ChecklistHistoryScreen
from pmcockpit.screens.checklist_note import NoteDialog
from pmcockpit.screens.checklist_run import ChecklistRunScreen
from pmcockpit.services import checklist as service
from pmcockpit.services.demo import sim_opener
from pmcockpit.services.sync import sync_all
from pmcockpit.services.templates import demo_daily_inspection
from pmcockpit.services.workspace import Workspace
from pmcockpit.sim import SimTool, build_org
from pmcockpit.sim.smtp import SmtpGreeter
from pmcockpit.storage import connections
from pmcockpit.storage.db import Database
from tests.app.conftest import no_connector
from tests.app.data import FIXED_NOW
from tests.app.helpers import notifications, open_palette_and_run, panel_text, settle
from tests.catalogs import speaking, write_catalog
from tests.installed import installed_on

SIZE = (80, 24)
DAILY = "daily-inspection"
BROKEN_TEMPLATE = '''\
name = "Broken"
recurrence = "daily"

[[steps]]
id = "look"
title = "Look"
check = "no-such-check"
'''


@dataclass
class SimCockpit:
    workspace: Workspace
    backups: Path
    templates: Path
    now: datetime
    """Naive UTC, fixed for the test: the app's clock."""

    def app(self) -> CockpitApp:
        return CockpitApp(self.workspace, clock=lambda: self.now)


@pytest.fixture
async def sim(tmp_path: Path, db: Database) -> AsyncIterator[SimCockpit]:
    """The daily inspection against the simulated Redmine (synced), a mail greeter on
    loopback and last night's backup file."""
    tool = SimTool("redmine", org=build_org(seed=7, scale=30))
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "pm-tool.sql.gz").write_bytes(b"backup")
    templates = tmp_path / "checklists"
    templates.mkdir()
    with SmtpGreeter() as smtp:
        (templates / f"{DAILY}.toml").write_text(
            demo_daily_inspection(backups, smtp.host, smtp.port), encoding="utf-8")
        settings = Settings(db=str(db.engine.url), operator="tester",
                            templates_dir=str(templates))
        workspace = Workspace(settings, db, sim_opener({"redmine": tool}))
        with db.session() as session:
            connections.add(session, "redmine", "redmine", tool.url)
        [report] = await sync_all(workspace)
        assert report.ok, report.error
        yield SimCockpit(workspace, backups, templates, utcnow().replace(microsecond=0))


@pytest.fixture
def fixed_workspace(tmp_path: Path, db: Database) -> Workspace:
    """The built-in templates only (an empty folder of one's own), no tool connected."""
    settings = Settings(operator="tester", templates_dir=str(tmp_path / "checklists"))
    installed_on(db)
    return Workspace(settings, db, no_connector)


def fixed_app(workspace: Workspace) -> CockpitApp:
    return CockpitApp(workspace, clock=lambda: FIXED_NOW)


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*("space" if char == " " else char for char in text))


def table_rows(app: CockpitApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def shown(app: CockpitApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_checklist(pilot: Pilot[None], row: int) -> None:
    """From anywhere: the Checklist area, then the run on ``row`` of its list."""
    await pilot.press("2")
    await settle(pilot)
    await pilot.press(*["down"] * row, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ChecklistRunScreen)


async def go_to_step(pilot: Pilot[None], step_id: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    target = table.get_row_index(step_id)
    await pilot.press(*(["down"] * (target - table.cursor_row) if target >= table.cursor_row
                        else ["up"] * (table.cursor_row - target)))
    await pilot.pause()


# --- acceptance -------------------------------------------------------------------------


async def test_a_daily_run_completed_by_keyboard_shows_in_history(sim: SimCockpit) -> None:
    progress: list[ChecksProgressed] = []

    def hook(message: Message) -> None:
        # The hook sees a message at every node it bubbles through: keep each once.
        if isinstance(message, ChecksProgressed) and all(m is not message for m in progress):
            progress.append(message)

    app = sim.app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.press("2")
        await settle(pilot)
        # The stack's top, not app.screen, which mypy would hold to be this screen to the end.
        assert isinstance(app.screen_stack[-1], ChecklistScreen)
        names = [row[1] for row in table_rows(app)]
        daily_row = names.index("Daily inspection")
        await open_checklist(pilot, daily_row)
        screen = app.screen
        assert isinstance(screen, ChecklistRunScreen)
        assert "0/8 done" in shown(app, "#run-lead")

        # The manual steps by hand: one ticked off, one refused without a note, then skipped.
        await go_to_step(pilot, "test-notification")
        await pilot.press("space")
        await settle(pilot)
        assert screen.detail.run.step("test-notification").state is StepState.DONE
        await go_to_step(pilot, "error-logs")
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen_stack[-1], NoteDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.is_current
        assert screen.detail.run.step("error-logs").state is StepState.PENDING
        assert any("a failed step needs a note saying why" in note
                   for note in notifications(app))
        await pilot.press("x")
        await pilot.pause()
        await type_text(pilot, "no logs to read on a holiday")
        await pilot.press("enter")
        await settle(pilot)
        skipped = screen.detail.run.step("error-logs")
        assert (skipped.state, skipped.note) == (StepState.SKIPPED, "no logs to read on a holiday")
        assert not screen.detail.run.complete

        # The automated steps, measured against the simulated tool, the file and the greeter.
        await pilot.press("r")
        await settle(pilot)
        run = screen.detail.run
        assert run.complete, [(s.step_id, s.state, s.result) for s in run.steps]
        results = {s.step_id: s.result for s in run.steps if s.result is not None}
        assert set(results) == {"tools-up", "certificates", "backup", "mail-server",
                                "sync-fresh", "absent-three-days"}
        for step_id in ("tools-up", "backup", "mail-server", "sync-fresh"):
            assert results[step_id].status is CheckStatus.PASS, results[step_id]
        evidence = screen.detail.evidence("mail-server")
        assert evidence.operator == "tester"
        assert evidence.measured_at == to_local(sim.now)
        finished = [m.progress for m in progress if m.progress.result is not None]
        assert [p.step_id for p in finished] == list(results)
        assert finished[-1].index == finished[-1].total == 6
        assert "complete" in shown(app, "#run-lead")
        assert "Checks run at" in shown(app, "#run-checks-text")
        assert not app.screen.query_one("#run-checks-bar").display

        # History: today's run on time, and the rate.
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistHistoryScreen)
        assert "Daily inspection · 100% on time (1 of 1)" in shown(app, "#history-rate")
        [today] = table_rows(app)
        assert today[:2] == ["today", "✓ on time"]

        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        daily = table_rows(app)[-1]
        assert daily[:3] == ["✓ done", "Daily inspection", "8/8"]


async def test_a_failed_check_waits_for_a_note_on_what_was_done(sim: SimCockpit) -> None:
    (sim.backups / "pm-tool.sql.gz").unlink()
    app = sim.app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        daily_row = [row[1] for row in table_rows(app)].index("Daily inspection")
        await open_checklist(pilot, daily_row)
        screen = app.screen
        assert isinstance(screen, ChecklistRunScreen)
        await pilot.press("r")
        await settle(pilot)
        backup = screen.detail.run.step("backup")
        assert backup.state is StepState.FAILED and backup.needs_note
        assert "1 failed" in shown(app, "#run-checks-text")
        await go_to_step(pilot, "backup")
        assert "needs a note" in shown(app, "#run-detail")
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "ran the backup job by hand")
        await pilot.press("enter")
        await settle(pilot)
        backup = screen.detail.run.step("backup")
        assert backup.state is StepState.FAILED and backup.settled, notifications(app)
        assert "ran the backup job by hand" in shown(app, "#run-detail")


# --- the list, refusals, dialogs ------------------------------------------------------------


async def test_overdue_runs_come_first_and_say_how_late(fixed_workspace: Workspace) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        # Monday 10 March 2025, 09:00: the quarter's and the month's runs are late.
        assert table_rows(app) == [
            ["✗ OVERDUE 46d", "Quarterly satisfaction survey", "0/5", "Wed 22 Jan"],
            ["✗ OVERDUE 3d", "Monthly version report", "0/6", "Thu 6 Mar"],
            ["○ due today", "Daily inspection", "0/8", "today 10:00"],
            ["○ due", "Weekly clean-up", "0/6", "Wed 12 Mar 12:00"],
        ]
        assert "2 overdue · 1 due today · 4 checklists" in shown(app, "#checklist-lead")
        assert "not started" in shown(app, "#checklist-about")
        assert not app.screen.query_one("#checklist-problems").display


async def test_a_catalog_translates_the_list_of_checklists(fixed_workspace: Workspace,
                                                           tmp_path: Path) -> None:
    # What the screen words at run time follows the language: whole sentences, plurals and
    # column headers come from the catalog.
    write_catalog(tmp_path / "locale", {
        ("{count} overdue", "{count} overdue"): ("{count} 项逾期",),
        ("{count} due today", "{count} due today"): ("{count} 项今天到期",),
        ("{count} checklist", "{count} checklists"): ("{count} 个清单",),
        "✗ OVERDUE {late}": "✗ 逾期 {late}",
        ("{count}d", "{count}d"): ("{count}天",),
        "State": "状态",
    })
    app = fixed_app(fixed_workspace)
    with speaking("zh-CN", tmp_path / "locale"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2")
            await settle(pilot)
            assert shown(app, "#checklist-lead") == "2 项逾期 · 1 项今天到期 · 4 个清单"
            # The built-in templates speak the language too.
            assert table_rows(app)[0][:2] == ["✗ 逾期 46天", "每季度用户满意度调研"]
            table = app.screen.query_one(DataTable)
            assert str(table.ordered_columns[0].label) == "状态"


async def test_opening_a_run_creates_it_once(fixed_workspace: Workspace) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot, 2)
        first = app.screen
        assert isinstance(first, ChecklistRunScreen)
        run_id = first.detail.id
        await pilot.press("space")  # an automated step: the rule says how instead
        await settle(pilot)
        assert any("checked automatically" in note for note in notifications(app))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistRunScreen)
        assert app.screen.detail.id == run_id


async def test_escape_in_the_note_dialog_saves_nothing(fixed_workspace: Workspace) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot, 2)
        screen = app.screen
        assert isinstance(screen, ChecklistRunScreen)
        run_id = screen.detail.id
        await go_to_step(pilot, "error-logs")
        await pilot.press("x")
        await pilot.pause()
        await type_text(pilot, "not today")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert service.load_run(fixed_workspace, run_id).run.step(
            "error-logs").state is StepState.PENDING


async def test_an_automated_step_checked_by_hand_is_done_with_a_note(
    fixed_workspace: Workspace,
) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot, 2)
        screen = app.screen
        assert isinstance(screen, ChecklistRunScreen)
        await pilot.press("d")
        await pilot.pause()
        await type_text(pilot, "logged in to each tool myself")
        await pilot.press("enter")
        await settle(pilot)
        step = screen.detail.run.step("tools-up")
        assert (step.state, step.note) == (StepState.DONE, "logged in to each tool myself")
        assert "1/8 done" in shown(app, "#run-lead")


async def test_a_malformed_template_is_named_and_the_others_still_work(
    fixed_workspace: Workspace,
) -> None:
    folder = fixed_workspace.settings.checklist_dir
    folder.mkdir()
    (folder / "broken.toml").write_text(BROKEN_TEMPLATE, encoding="utf-8")
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Daily inspection" in panel_text(app, "panel-checklist")
        await pilot.press("2")
        await settle(pilot)
        panel = app.screen.query_one("#checklist-problems")
        assert panel.display and panel.border_title == "1 template problem: left out until fixed"
        problems = shown(app, "#checklist-problems-text")
        assert f"{folder / 'broken.toml'}:7: " in problems
        assert "unknown check 'no-such-check'" in problems
        assert [row[1] for row in table_rows(app)] == [
            "Quarterly satisfaction survey", "Monthly version report", "Daily inspection",
            "Weekly clean-up"]
        await open_checklist(pilot, 2)
        assert "Daily inspection" in shown(app, "#run-lead")


async def test_home_lists_the_runs_due_and_overdue(fixed_workspace: Workspace) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = panel_text(app, "panel-checklist")
        assert text.splitlines() == [
            "1 run due today, 2 overdue",
            "✗ Quarterly satisfaction survey  due 46d ago",
            "✗ Monthly version report  due 3d ago",
            "○ Daily inspection  by 10:00",
        ]


async def test_every_run_key_is_named_in_help_and_the_palette(
    fixed_workspace: Workspace,
) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot, 2)
        screen = app.screen
        assert isinstance(screen, ChecklistRunScreen)
        ids = {binding.id for _node, binding, _enabled, _tooltip
               in screen.active_bindings.values() if binding.id}
        assert {"checklist_run.toggle", "checklist_run.fail", "checklist_run.skip",
                "checklist_run.done", "checklist_run.note", "checklist_run.checks",
                "checklist_run.history", "checklist_run.back"} <= ids
        box = screen.query_one("#run-detail-box")
        assert box.border_subtitle == "f failed · x skip · d done with note · h history · " \
                                      "esc back"
        await open_palette_and_run(pilot, "Checklist: History")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistHistoryScreen)
        # Today's run is the first, and still open: nothing counts yet.
        assert shown(app, "#history-rate") == "Daily inspection · no finished periods yet · " \
                                              "since today"


async def test_a_checklist_never_run_has_no_history_yet(fixed_workspace: Workspace) -> None:
    app = fixed_app(fixed_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistHistoryScreen)
        assert "Quarterly satisfaction survey · no runs yet" in shown(app, "#history-rate")
        assert not app.screen.query_one(DataTable).display
