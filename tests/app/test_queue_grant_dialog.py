"""The access-request dialog (`g` on a ticket) at 80x24 against the simulated Redmine:
the project completed from the synced names, a role ticked in the synced list, then the
preview, and the membership in the tool afterwards; and the push dialog (`p` on a request
recorded here): the tool chosen, the project completed, the ticket created."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, SelectionList

from pmcockpit.app import CockpitApp
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.queue_access import GrantDialog
from pmcockpit.screens.queue_dialogs import ChangePreviewDialog
from pmcockpit.screens.queue_push import PushDialog
from pmcockpit.screens.queue_ticket import TicketScreen
from pmcockpit.services import tickets
from tests.app.helpers import notifications, settle
from tests.services.checklist_sim import sim_setup
from tests.services.test_queue_actions import key_of, open_issue


async def test_grant_a_membership_by_picking_names(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path)
    await setup.sync()
    state = setup.tool.state
    issue = open_issue(setup)
    project = state.projects[issue.project_id]
    user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                if u.status == 1 and u.mail and not u.admin
                and state.member_of(project.id, u.id) is None)
    app = CockpitApp(setup.workspace, clock=utcnow)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(TicketScreen(setup.workspace, key_of(issue)))
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, GrantDialog) and dialog.picks is not None
        roles = dialog.query_one("#grant-role-list", SelectionList)
        assert roles.display and roles.option_count == len(dialog.picks.roles)
        assert not dialog.query_one("#grant-roles", Input).display

        user_field = dialog.query_one("#grant-user", Input)
        user_field.value = ""
        user_field.focus()
        await pilot.press(*user.mail.upper())
        await pilot.press("enter")
        await pilot.press(*project.identifier[:-1])
        await settle(pilot)
        await pilot.press("right")  # takes the completion of the synced identifier
        target = dialog.query_one("#grant-target", Input)
        assert target.value.casefold() == project.identifier.casefold()
        await pilot.press("enter")  # on to the roles
        assert roles.has_focus
        wanted = dialog.picks.roles.index("Developer")
        await pilot.press(*["down"] * wanted, "space", "ctrl+s")
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, ChangePreviewDialog)
        assert any("as Developer" in line for line in preview.preview.lines)
        assert preview.preview.previews and preview.preview.problem is None  # the dry run
        assert state.member_of(project.id, user.id) is None  # nothing sent yet
        await pilot.press("ctrl+s")
        await settle(pilot)
        member = state.member_of(project.id, user.id)
        developer = next(r.id for r in state.roles.values() if r.name == "Developer")
        assert member is not None and developer in member.direct_role_ids
        assert any("access granted" in note for note in notifications(app))
        said = [j.notes for j in issue.journals if j.notes.startswith("Access granted by")]
        assert said and f"added to {project.identifier}" in said[-1]

        await pilot.press("g")  # a project the tool does not know: refused, with its names
        await settle(pilot)
        again = app.screen
        assert isinstance(again, GrantDialog)
        again.query_one("#grant-user", Input).focus()
        await pilot.press(*user.login, "enter", *"nowhere", "enter", "space", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert any("no project 'nowhere'" in note for note in notifications(app))


async def test_push_a_phoned_request_by_picking_the_project(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path)
    await setup.sync()
    state = setup.tool.state
    project = state.projects[open_issue(setup).project_id]
    local = tickets.add_local(setup.workspace, subject="Projector in room 5",
                              requester="Li Lei", priority="Low")
    app = CockpitApp(setup.workspace, clock=utcnow)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(TicketScreen(setup.workspace, local))
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PushDialog)
        assert dialog.query_one("#push-tool", Select).value == "rm"  # the only tool
        await settle(pilot)
        await pilot.press(*project.identifier[:-1])
        await settle(pilot)
        await pilot.press("right", "enter")  # the completion, then push
        await settle(pilot)
        [issue] = [i for i in state.issues.values() if i.subject == "Projector in room 5"]
        assert issue.project_id == project.id
        ticket = app.screen
        assert isinstance(ticket, TicketScreen) and ticket.key == f"rm#{issue.id}"
