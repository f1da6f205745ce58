"""The permission review by keyboard at 80x24, against Jira, GitLab and Redmine simulated
from one organisation: start, decide a revoke and a downgrade, apply through the action
dialog, see the tools changed, undo the membership removal and see its roles restored,
sign off."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Static

from pmcockpit.app import CockpitApp
from pmcockpit.core.clock import utcnow
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.permissions import PermissionsScreen
from pmcockpit.screens.review_dialogs import ActionPicker, DecisionDialog
from pmcockpit.services import review
from pmcockpit.storage.models import Review, ReviewItem
from pmcockpit.widgets.review_people import PeopleTable
from tests.app.helpers import settle
from tests.services.review_sim import ReviewSim, review_sim

SIZE = (80, 24)
LOCKED = 3


def _screen(app: CockpitApp) -> PermissionsScreen:
    screen = app.screen
    assert isinstance(screen, PermissionsScreen)
    return screen


async def _filter(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash", "ctrl+u", *text, "enter")
    await settle(pilot)


def _downgrade_candidate(sim: ReviewSim) -> tuple[str, int, list[int]]:
    """A person with only a Redmine account and one membership, all of its roles direct,
    and a login after shill's (so the removal is the plan's last step)."""
    state = sim.tools["redmine"].state
    for user in sorted(state.users.values(), key=lambda u: u.login):
        if user.login <= "shill" or user.status != 1 or user.admin:
            continue
        person = next((p for p in sim.org.people if p.login == user.login), None)
        # Only Redmine among the tools this review covers (everyone is on ZenTao and Feishu).
        if person is None or person.tools & set(sim.tools) != {"redmine"} or person.left_on:
            continue
        members = [m for m in state.members.values() if m.principal_id == user.id]
        if len(members) == 1 and all(
                g.inherited_from is None for g in members[0].grants):
            return user.login, members[0].id, sorted(members[0].direct_role_ids)
    raise AssertionError("no candidate for a downgrade")


async def test_a_review_by_keyboard_from_start_to_sign_off(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=60)
    review.import_roster(sim.workspace, sim.roster_path)
    login, member_id, roles = _downgrade_candidate(sim)
    redmine = sim.tools["redmine"].state
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = _screen(app)
        assert screen.view is not None and "Review 1" in str(
            screen.query_one("#review-lead", Static).render())

        await _filter(pilot, "shill")
        assert screen.query_one(PeopleTable).current_person() == "shill@example.org"
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press(*"left on the roster", "enter")
        await settle(pilot)

        await _filter(pilot, login)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press("enter", *"moved to another team", "enter")
        await settle(pilot)
        assert screen.view is not None and screen.view.decided == 4

        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and len(dialog.actions) == 4
        await pilot.press(*"review 1", "tab", "4", "tab", "tab")
        assert app.focused is dialog.query_one("#action-run", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert all(r.ok for r in dialog.results), [r.error for r in dialog.results]
        await pilot.press("escape")
        await settle(pilot)
        shill = next(u for u in redmine.users.values() if u.login == "shill")
        assert shill.status == LOCKED
        gitlab_shill = sim.tools["gitlab"].state.user_by_login("shill")
        assert gitlab_shill is not None and gitlab_shill.status != 1
        assert member_id not in redmine.members

        await pilot.press("7")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        undo = app.screen
        assert isinstance(undo, ActionDialog) and undo.actions[0].kind.value == "add-membership"
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        assert all(r.ok for r in undo.results)
        await pilot.press("escape")
        await settle(pilot)
        user = redmine.user_by_login(login)
        assert user is not None
        [restored] = [m for m in redmine.members.values() if m.principal_id == user.id]
        assert sorted(restored.direct_role_ids) == roles

        await pilot.press("3")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert _screen(app).view is None
    with sim.workspace.db.session() as session:
        signed = session.scalars(select(Review)).one()
        assert signed.signed_off_at is not None and signed.audit_head
        outcomes = session.scalars(select(ReviewItem.applied)
                                   .where(ReviewItem.applied.is_not(None))).all()
        assert sorted(str(outcome) for outcome in outcomes) == ["succeeded"] * 4


async def test_enter_on_a_person_offers_single_actions(tmp_path: Path) -> None:
    sim = await review_sim(tmp_path, scale=60)
    review.import_roster(sim.workspace, sim.roster_path)
    app = CockpitApp(sim.workspace, clock=utcnow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await _filter(pilot, "shill")
        await pilot.press("enter")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ActionPicker)
        assert picker.choices[0][0].startswith("Lock shill")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        await pilot.press(*"left", "tab", "tab", "enter")
        await settle(pilot)
        assert [r.ok for r in dialog.results] == [True]
