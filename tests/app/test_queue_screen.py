"""Working the queue by keyboard at 80x24 against the simulated Redmine: filter to the
breached tickets, open one, reply with a canned answer, resolve it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmcockpit.app import CockpitApp
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.queue import QueueScreen
from pmcockpit.screens.queue_dialogs import ChangePreviewDialog, CommentDialog
from pmcockpit.screens.queue_ticket import TicketScreen
from pmcockpit.storage.queries.tickets import ticket_detail
from pmcockpit.widgets.queue_table import QueueTable
from tests.app.helpers import notifications, settle
from tests.services.checklist_sim import sim_setup

REPLY = "Hello {requester}, {key} is sorted: you can log in again. Regards, {admin}"


@pytest.fixture
def replies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PMCOCKPIT_CONFIG", str(tmp_path / "config.toml"))
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "Access restored.txt").write_text(REPLY, encoding="utf-8")
    return folder


async def test_filter_to_breached_open_reply_with_a_canned_answer_and_resolve(
        tmp_path: Path, replies: Path) -> None:
    setup = sim_setup(tmp_path)
    await setup.sync()
    app = CockpitApp(setup.workspace, clock=utcnow)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        everything = screen.query_one(QueueTable).row_count
        await pilot.press("b")
        await settle(pilot)
        table = screen.query_one(QueueTable)
        # The filter box shown above must not narrow the table laid out for the full width.
        assert table.size.width == 80 and not table.show_horizontal_scrollbar
        rows = list(screen.rows.values())
        assert rows and len(rows) <= everything
        assert all(any(c.state == "breached" for c in (r.clocks.response, r.clocks.resolution))
                   for r in rows)
        first = rows[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.key == first.key
        issue = setup.tool.state.issues[int(first.key.rsplit("#", 1)[1])]

        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CommentDialog)
        await pilot.press("enter")  # the first canned reply fills the text
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = (f"Hello {first.requester}, {first.key} is sorted: you can log in again. "
                    "Regards, tester")
        assert [j.notes for j in issue.journals if j.notes == expected] == [expected]

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, CommentDialog)
        await pilot.press("enter", "ctrl+s")  # the canned reply as the closing note
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, ChangePreviewDialog)  # nothing sent yet
        assert preview.preview.problem is None and preview.preview.previews
        assert any("→ Closed" in line for line in preview.preview.lines)
        state = setup.tool.state
        assert state.statuses[issue.status_id].name != "Closed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert state.statuses[issue.status_id].name == "Closed"
        assert any("done (audit #" in note for note in notifications(app))
        with setup.workspace.db.session() as session:  # closed here too, before any sync
            assert ticket_detail(session, first.key).is_closed
