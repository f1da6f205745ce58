"""The permission review's use cases: import the roster, start a review (freeze the
inventory and judge it), decide, plan and apply through the audited action path, sweep
a leaver's accounts, and sign off.

Every remote change goes through :class:`pmcockpit.services.actions.ActionRunner`, so
each one has an intent, an outcome and an undo like any other action.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.core.review import (
    AccountFacts,
    Decided,
    Decision,
    Drift,
    Exemption,
    PlanError,
    Roster,
    Thresholds,
    judge,
    place,
    sweep_actions,
    to_action,
)
from pmcockpit.core.roster import ParsedRoster, RosterError, parse_roster
from pmcockpit.services import audit_log
from pmcockpit.services.actions import ActionResult, ActionRunner
from pmcockpit.services.sync_review import membership_note
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import reviews, roster
from pmcockpit.storage.models import ReviewItem
from pmcockpit.storage.queries.review import drift_since_previous

__all__ = ["Decision", "PlanError", "PlanStep", "RosterError", "import_roster",
           "start_review"]


@dataclass(frozen=True, slots=True)
class RosterImported:
    facts: roster.ImportFacts
    parsed: ParsedRoster


def import_roster(workspace: Workspace, path: Path, *, at: datetime | None = None
                  ) -> RosterImported:
    """Read, check and keep a roster file; RosterError (or OSError) when it is unusable."""
    parsed = parse_roster(path.read_bytes())
    with workspace.db.session() as session:
        facts = roster.save_import(session, parsed, filename=path.name,
                                   operator=workspace.settings.operator, at=at)
    return RosterImported(facts, parsed)


def _thresholds(workspace: Workspace) -> Thresholds:
    settings = workspace.settings
    return Thresholds(settings.inactive_days, settings.never_logged_in_days)


def start_review(workspace: Workspace, *, connections: list[str] | None = None,
                 now: datetime | None = None) -> int:
    """Freeze the synced inventory into a new review, judged against the latest roster."""
    now = now or utcnow()
    with workspace.db.session() as session:
        latest = roster.latest_import(session)
        staff = Roster(roster.staff(session))
        previous = reviews.last_signed_off(session)
        previous_id = previous.id if previous is not None else None
        before = reviews.previous_admins(session, previous_id)
        links, exempt = reviews.links(session), reviews.exemptions(session)
        judged = [judge(facts, roster=staff, links=links, exemptions=exempt,
                        previous_admin=before, now=now, thresholds=_thresholds(workspace))
                  for facts in reviews.inventory(session, connections)]
        scope = ", ".join(connections) if connections else _("all connected tools")
        if note := membership_note(workspace, connections):
            scope = f"{scope}; {note}"[:500]  # the memberships frozen are that old
        review_id = reviews.create_review(
            session, judged=judged, operator=workspace.settings.operator, scope=scope,
            roster_import_id=latest.id if latest else None, previous_id=previous_id, at=now)
    with workspace.db.session() as session:
        reviews.keep_drift(session, review_id, drift_since_previous(session, review_id))
    return review_id


def review_drift(workspace: Workspace, review_id: int) -> Drift | None:
    """What changed since the review this one follows; None for the first review."""
    with workspace.db.session() as session:
        reviews.get_review(session, review_id)
        return drift_since_previous(session, review_id)


def decide(workspace: Workspace, item_ids: Sequence[int], decision: Decision,
           justification: str, target: str | None = None) -> int:
    """Record a decision on items of an open review; ValueError without a justification."""
    if not justification.strip():
        raise ValueError(_("a justification is required for every decision"))
    if decision is Decision.DOWNGRADE and not target:
        raise ValueError(_("a downgrade names what to remove: admin, membership:ID or group:ID"))
    with workspace.db.session() as session:
        return reviews.decide(session, list(item_ids), decision, target, justification.strip(),
                              workspace.settings.operator, utcnow())


@dataclass(frozen=True, slots=True)
class PlanStep:
    item_id: int
    action: Action


async def revoke_kinds(runner: ActionRunner, connections: set[str]) -> dict[str, ActionKind]:
    """Per tool, how an account is revoked: lock (block, suspend) if it can, else
    deactivate. A tool that can do neither is left out (its plan steps are refused)."""
    kinds: dict[str, ActionKind] = {}
    for name in sorted(connections):
        capabilities = (await runner.connector(name)).capabilities()
        if Capability.LOCK_USERS in capabilities:
            kinds[name] = ActionKind.LOCK_USER
        elif Capability.DEACTIVATE_USERS in capabilities:
            kinds[name] = ActionKind.DEACTIVATE_USER
    return kinds


def _pending(workspace: Workspace, review_id: int) -> list[ReviewItem]:
    with workspace.db.session() as session:
        review = reviews.get_review(session, review_id)
        if review.signed_off_at is not None:
            raise ValueError(_("review {id} is signed off: start a new one").format(id=review_id))
        return list(session.scalars(
            select(ReviewItem).where(ReviewItem.review_id == review_id,
                                     ReviewItem.decision.in_([Decision.REVOKE.value,
                                                              Decision.DOWNGRADE.value]),
                                     ReviewItem.applied.is_distinct_from("succeeded"))
            .order_by(ReviewItem.connection, ReviewItem.login)))


async def plan(runner: ActionRunner, review_id: int) -> list[PlanStep]:
    """The remote calls the review's decisions need, grouped by tool; failed ones again."""
    items = await asyncio.to_thread(_pending, runner.workspace, review_id)
    kinds = await revoke_kinds(runner, {i.connection for i in items
                                        if i.decision == Decision.REVOKE.value})
    steps = []
    for item in items:
        decided = Decided(item.connection, item.remote_id, item.login,
                          Decision(item.decision or "keep"), item.target, item.justification)
        action = to_action(decided, kinds.get(item.connection, ActionKind.LOCK_USER))
        if action is not None:
            steps.append(PlanStep(item.id, action))
    return steps


ItemResult = Callable[[int, int, ActionResult], None]


async def apply(runner: ActionRunner, steps: Sequence[PlanStep], *, confirmed: bool,
                on_result: ItemResult | None = None) -> list[ActionResult]:
    """Run the plan through the audited path; each item keeps its outcome and audit id."""
    workspace = runner.workspace

    def keep(index: int, total: int, result: ActionResult) -> None:
        with workspace.db.session() as session:
            reviews.record_outcome(session, steps[index].item_id, result.outcome.value,
                                   result.error, result.audit_id)
        if on_result is not None:
            on_result(index, total, result)

    results = []
    for index, step in enumerate(steps):
        [result] = await runner.run([step.action], confirmed=confirmed)
        await asyncio.to_thread(keep, index, len(steps), result)
        results.append(result)
    return results


def sign_off(workspace: Workspace, review_id: int, *, now: datetime | None = None) -> str:
    """Close the review, noting the audit chain's head at that moment."""
    head = audit_log.checkpoint(workspace)
    with workspace.db.session() as session:
        reviews.sign_off(session, review_id, workspace.settings.operator, head,
                         now or utcnow())
    return head


# --- leaver sweep -------------------------------------------------------------------


class UnknownPerson(LookupError):
    """Nobody by that login, e-mail or name; the message says so."""


def _leaver_accounts(workspace: Workspace, person: str | None, all_departed: bool
                     ) -> list[AccountFacts]:
    with workspace.db.session() as session:
        staff = Roster(roster.staff(session))
        links, accounts = reviews.links(session), reviews.inventory(session)
    placed = [(place(a, staff, links), a) for a in accounts]
    if all_departed:
        return [a for (_key, entry), a in placed if entry is not None and entry.has_left]
    text = (person or "").strip().lower()
    entry = staff.find(text)
    if entry is not None:
        wanted = {entry.email or f"login:{entry.login}"}
    else:
        wanted = {key for (key, _entry), a in placed
                  if text in (key, a.login.lower(), (a.email or "").lower())}
    found = [a for (key, _entry), a in placed if key in wanted]
    if not found:
        raise UnknownPerson(_("no account belongs to {person!r}: give a login, an e-mail or "
                              "a name on the roster").format(person=person))
    return found


async def sweep_plan(runner: ActionRunner, person: str | None, *, all_departed: bool,
                     reason: str) -> list[Action]:
    """One plan locking every open account of a leaver (or of everyone who left)."""
    accounts = await asyncio.to_thread(_leaver_accounts, runner.workspace, person,
                                       all_departed)
    kinds = await revoke_kinds(runner, {a.connection for a in accounts})
    return sweep_actions(accounts, kinds, reason)


def record_results(workspace: Workspace, steps: Sequence[PlanStep],
                   results: Sequence[ActionResult]) -> None:
    """Keep each step's outcome (a plan run elsewhere, e.g. in the action dialog)."""
    with workspace.db.session() as session:
        for step, result in zip(steps, results, strict=False):
            reviews.record_outcome(session, step.item_id, result.outcome.value, result.error,
                                   result.audit_id)


def exempt(workspace: Workspace, connection: str, login: str, exemption: Exemption) -> None:
    """Keep a service or bot account out of the findings (shown as exempt) until expiry."""
    if not exemption.owner.strip() or not exemption.reason.strip():
        raise ValueError(_("an exemption names its owner and its reason"))
    with workspace.db.session() as session:
        reviews.exempt(session, connection, login, exemption)
