"""What the review screen does: start a review, decide, apply, sweep a leaver, act on
one account, sign off. Reads and writes run in workers; every change to a tool goes
through the action dialog (preview, reason, confirmation, per-item results)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session
from textual import on, work

from pmcockpit.core.actions import Action
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.review import DECISION_LABELS, Decision
from pmcockpit.messages import SyncRequested
from pmcockpit.screens.action_dialog import ActionDialog
from pmcockpit.screens.base import LiveAreaScreen
from pmcockpit.screens.review_choices import downgrade_targets, single_actions
from pmcockpit.screens.review_dialogs import (
    ActionPicker,
    ConfirmDialog,
    DecisionChoice,
    DecisionDialog,
)
from pmcockpit.screens.review_state import ReviewView
from pmcockpit.services import review as reviews
from pmcockpit.services.actions import ActionResult, ActionRunner, ConnectorError
from pmcockpit.storage.queries.review import (
    AccountLine,
    ReviewFilter,
    matching_accounts,
    recent_reasons,
)


def _to_decide(session: Session, review_id: int, wanted: ReviewFilter, persons: list[str],
               decision: Decision) -> list[AccountLine]:
    """The accounts a decision on ``persons`` covers: those under the filter with a
    finding (a revoke also takes every account still open)."""
    wanted_persons = set(persons)
    lines = [line for line in matching_accounts(session, review_id, wanted)
             if line.person in wanted_persons]
    if decision is Decision.REVOKE:
        return [line for line in lines if line.findings or line.status != "locked"]
    return [line for line in lines if line.findings]


class ReviewActions(LiveAreaScreen):
    """The review screen's actions; :class:`PermissionsScreen` adds what it shows."""

    view: ReviewView | None
    wanted: ReviewFilter
    selected: set[str]
    person_lines: list[AccountLine]
    lines_person: str | None

    def read(self) -> object:
        raise NotImplementedError

    def chosen_persons(self) -> list[str]:
        raise NotImplementedError

    def decision_done(self, count: int, decision: Decision) -> None:
        raise NotImplementedError

    def _open_review(self) -> int | None:
        if self.view is None:
            self.notify(_("No review open: press n to start one."), severity="warning")
            return None
        return self.view.review.id

    # --- start and sign off -------------------------------------------------------------

    def action_start(self) -> None:
        if self.view is not None:
            self.notify(_("Review {id} is open: sign it off (o) before starting another.")
                        .format(id=self.view.review.id), severity="warning")
            return
        self.start_review()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-write",
          description=_("Starting a review"))
    def start_review(self) -> None:
        self._refresh_memberships()
        review_id = reviews.start_review(self.workspace, now=self.clock())
        self.app.call_from_thread(self.notify, _("Review {id} started: today's accounts are "
                                                 "frozen for it.").format(id=review_id))
        self.app.call_from_thread(self.read)

    def _refresh_memberships(self) -> None:
        """Read every project's members again first (as `review start` does): a review
        freezes who holds what, and a re-sync keeps the stored memberships."""
        import asyncio

        from pmcockpit.services.sync_review import refresh_for_review

        self.app.call_from_thread(self.notify, _("Reading project memberships before the "
                                                 "review starts..."))
        for report in asyncio.run(refresh_for_review(self.workspace)):
            if not report.ok:
                self.app.call_from_thread(self.notify, _(
                    "{name}: memberships not refreshed: {error} (the review uses the stored "
                    "ones; its scope says how old)").format(name=report.connection,
                                                            error=report.error),
                    severity="warning")

    def action_sign_off(self) -> None:
        review_id = self._open_review()
        if review_id is None or self.view is None:
            return
        left = self.view.to_decide - self.view.decided
        question = _("Close review {id}? The audit chain's head is kept with it as "
                     "evidence.").format(id=review_id)
        if left:
            question += " " + ngettext("{count} account with findings has no decision.",
                                       "{count} accounts with findings have no decision.",
                                       left).format(count=left)

        def answered(yes: bool | None) -> None:
            if yes:
                self.sign_off(review_id)

        self.app.push_screen(ConfirmDialog(_("Sign off"), question, _("Sign off")), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-write",
          description=_("Signing the review off"))
    def sign_off(self, review_id: int) -> None:
        head = reviews.sign_off(self.workspace, review_id, now=self.clock())
        self.app.call_from_thread(self.notify, _("Review {id} signed off; audit head {head}.")
                                  .format(id=review_id, head=head[:40]))
        self.app.call_from_thread(self.read)

    # --- decisions ----------------------------------------------------------------------

    def action_decide(self, word: str) -> None:
        review_id = self._open_review()
        persons = self.chosen_persons()
        if review_id is None or not persons:
            return
        decision = Decision(word)
        if decision is Decision.DOWNGRADE and len(persons) > 1:
            self.notify(_("A downgrade removes one thing from one account: choose one person."),
                        severity="warning")
            return
        self.prepare_decision(review_id, persons, decision)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-read",
          description=_("Reading the accounts to decide"))
    def prepare_decision(self, review_id: int, persons: list[str], decision: Decision) -> None:
        with self.workspace.db.session() as session:
            lines = _to_decide(session, review_id, self.wanted, persons, decision)
            reasons = recent_reasons(session)
        if decision is Decision.DOWNGRADE:
            with self.workspace.db.session() as session:
                lines = [line for line in matching_accounts(session, review_id, ReviewFilter())
                         if line.person in persons]
        self.app.call_from_thread(self._ask_decision, decision, lines, reasons)

    def _ask_decision(self, decision: Decision, lines: list[AccountLine],
                      reasons: list[str]) -> None:
        targets = downgrade_targets(lines) if decision is Decision.DOWNGRADE else []
        if not lines or (decision is Decision.DOWNGRADE and not targets):
            self.notify(_("Nothing to decide here: no account with a finding (or, for a "
                          "downgrade, nothing to remove)."), severity="warning")
            return
        title = ngettext("{decision}: {count} account", "{decision}: {count} accounts",
                         len(lines)).format(decision=_(DECISION_LABELS[decision]).capitalize(),
                                            count=len(lines))

        def answered(choice: DecisionChoice | None) -> None:
            if choice is not None:
                ids = [choice.target.item_id] if choice.target else [li.item_id for li in lines]
                self.record_decision(ids, decision, choice)

        self.app.push_screen(DecisionDialog(title, reasons=reasons, targets=targets), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-write",
          description=_("Recording the decision"))
    def record_decision(self, item_ids: list[int], decision: Decision,
                        choice: DecisionChoice) -> None:
        count = reviews.decide(self.workspace, item_ids, decision, choice.justification,
                               choice.target.target if choice.target else None)
        self.app.call_from_thread(self.decision_done, count, decision)

    # --- apply, sweep, single actions ---------------------------------------------------

    def action_apply(self) -> None:
        review_id = self._open_review()
        if review_id is not None:
            self.prepare_plan(review_id)

    @work(exclusive=True, exit_on_error=False, group="review-plan",
          description=_("Preparing the plan"))
    async def prepare_plan(self, review_id: int) -> None:
        try:
            async with ActionRunner(self.workspace) as runner:
                steps = await reviews.plan(runner, review_id)
        except (ConnectorError, ValueError) as error:
            self.notify(str(error), severity="error")
            return
        if not steps:
            self.notify(_("Nothing to apply: no revoke or downgrade is waiting."))
            return

        def ran(results: list[ActionResult] | None) -> None:
            if results:
                self.keep_results(steps, results)

        title = ngettext("Apply review {id}: {count} change", "Apply review {id}: {count} "
                         "changes", len(steps)).format(id=review_id, count=len(steps))
        self.app.push_screen(ActionDialog(self.workspace, [s.action for s in steps],
                                          title=title), ran)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-write",
          description=_("Keeping the results"))
    def keep_results(self, steps: Sequence[reviews.PlanStep],
                     results: list[ActionResult]) -> None:
        reviews.record_results(self.workspace, steps, results)
        self.app.call_from_thread(self.read)

    def action_sweep(self) -> None:
        persons = self.chosen_persons()
        if len(persons) != 1:
            self.notify(_("Put the cursor on one person (without a selection) to sweep."),
                        severity="warning")
            return
        self.prepare_sweep(persons[0])

    @work(exclusive=True, exit_on_error=False, group="review-plan",
          description=_("Preparing the leaver sweep"))
    async def prepare_sweep(self, person: str | None) -> None:
        """One plan for every open account of ``person``, or of everyone who left (None)."""
        try:
            async with ActionRunner(self.workspace) as runner:
                actions = await reviews.sweep_plan(runner, person,
                                                   all_departed=person is None, reason="")
        except (reviews.UnknownPerson, ConnectorError) as error:
            self.notify(str(error), severity="warning")
            return
        if not actions:
            self.notify(_("Everyone the roster says left is locked already.") if person is None
                        else _("Every account of {person} is locked already.").format(
                            person=person))
            return
        title = _("Leaver sweep: everyone who left") if person is None \
            else _("Leaver sweep: {person}").format(person=person)
        self.app.push_screen(ActionDialog(self.workspace, actions, title=title))

    def action_act(self) -> None:
        persons = self.chosen_persons()
        if self.view is None or persons[:1] != [self.lines_person] or len(persons) != 1:
            return  # no person, a selection, or the person's accounts are still being read
        choices = single_actions(self.person_lines)
        if not choices:
            return

        def picked(action: Action | None) -> None:
            if action is not None:
                self.app.push_screen(ActionDialog(self.workspace, [action]))

        self.app.push_screen(ActionPicker(_("Act on an account"), choices), picked)

    @on(ActionDialog.Completed)
    def tools_changed(self, message: ActionDialog.Completed) -> None:
        # The synced state is behind the tools now: catch up (the review's snapshot stays).
        if message.connections:
            self.post_message(SyncRequested(sorted(message.connections)))
        self.read()

    def matching_persons(self, review_id: int) -> set[str]:
        with self.workspace.db.session() as session:
            return {line.person for line in matching_accounts(session, review_id, self.wanted)}
