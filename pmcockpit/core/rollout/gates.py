"""Exit gates: what must be true to leave a phase, and the rule to enter a roll-out.

A gate item is manual (ticked by the administrator with evidence: a note or a
checklist run) or automatic (``check``), measured from figures the caller hands
in. The ``checklist`` check links a checklist run (an upgrade's pre- or post-upgrade
checklist): the item is met when that run is complete with no step failed, and its
progress is the evidence shown. A phase that ``needs_rollback_plan`` cannot start
until the upgrade's written rollback plan is filled in: the gate refuses, with the
reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout.adoption import TeamFigures, total
from pmcockpit.core.rollout.model import WaveStatus
from pmcockpit.core.rollout.versions import parse_version

ParamValue = str | int | float | bool
CHECKS = {
    "adoption": {"min_percent": 80, "window_days": 30},
    "waves-live": {},
    "rollback-plan": {},
    "version-reached": {},
    "checklist": {},
}
"""Automatic gate checks and their parameters' defaults."""
MIN_ROLLBACK_PLAN = 20
"""A rollback plan shorter than this many characters is not a plan."""


@dataclass(frozen=True, slots=True)
class GateSpec:
    id: str
    title: str
    guidance: str = ""
    check: str | None = None
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    checklist: str | None = None
    """The linked checklist template's key (``check = "checklist"``)."""

    @property
    def automatic(self) -> bool:
        return self.check is not None


@dataclass(frozen=True, slots=True)
class GateTick:
    """A manual item ticked, with its evidence."""

    item_id: str
    evidence: str
    by: str
    at: datetime
    checklist_run_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChecklistOutcome:
    """Where a linked checklist run stands."""

    run_id: int
    settled: int
    total: int
    failed: int
    complete: bool

    @property
    def passed(self) -> bool:
        return self.complete and not self.failed


@dataclass(frozen=True, slots=True)
class GateFacts:
    """The figures automatic checks are measured against."""

    adoption: Sequence[TeamFigures] = ()
    """The teams of the waves that are live (or struggling) so far."""
    waves: Sequence[WaveStatus] = ()
    rollback_plan: str = ""
    observed_version: str | None = None
    target_version: str | None = None
    checklists: Mapping[str, ChecklistOutcome] = field(default_factory=dict)
    """The rollout's linked checklist runs, by template key."""


@dataclass(frozen=True, slots=True)
class GateItemState:
    spec: GateSpec
    met: bool
    detail: str
    """The evidence of a ticked item, or what an automatic check measured."""


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...] = ()


def rollback_plan_filled(plan: str) -> bool:
    return len(plan.strip()) >= MIN_ROLLBACK_PLAN


def _adoption(params: Mapping[str, ParamValue], facts: GateFacts) -> tuple[bool, str]:
    window = int(params.get("window_days", 30))
    wanted = float(params.get("min_percent", 80))
    figures = total(facts.adoption, "")
    share = figures.share(7 if window == 7 else 30)
    if share is None:
        return False, _("no live team measured yet")
    shown = _("{share:.0%} active in the last {days} days (need {wanted:.0f}%)").format(
        share=share, days=window, wanted=wanted)
    return share * 100 >= wanted, shown


def _waves_live(facts: GateFacts) -> tuple[bool, str]:
    live = sum(1 for w in facts.waves if w is WaveStatus.LIVE)
    return bool(facts.waves) and live == len(facts.waves), _(
        "{live} of {count} waves live").format(live=live, count=len(facts.waves))


def _version_reached(facts: GateFacts) -> tuple[bool, str]:
    seen, target = parse_version(facts.observed_version), parse_version(facts.target_version)
    if seen is None or target is None:
        return False, _("the tool's version is not known")
    return seen >= target, _("the tool runs {seen}, target {target}").format(
        seen=facts.observed_version, target=facts.target_version)


def _checklist(spec: GateSpec, facts: GateFacts) -> tuple[bool, str]:
    outcome = facts.checklists.get(spec.checklist or "")
    if outcome is None:
        return False, _("the {checklist} checklist is not opened yet (l)").format(
            checklist=spec.checklist)
    shown = _("checklist run {id}: {settled} of {total} steps settled").format(
        id=outcome.run_id, settled=outcome.settled, total=outcome.total)
    if outcome.failed:
        shown += _(", {count} failed").format(count=outcome.failed)
    return outcome.passed, shown


def measure(spec: GateSpec, facts: GateFacts) -> tuple[bool, str]:
    """An automatic item's result and what was measured."""
    if spec.check == "adoption":
        return _adoption(spec.params, facts)
    if spec.check == "waves-live":
        return _waves_live(facts)
    if spec.check == "rollback-plan":
        filled = rollback_plan_filled(facts.rollback_plan)
        return filled, _("rollback plan written") if filled else _("no rollback plan written")
    if spec.check == "version-reached":
        return _version_reached(facts)
    if spec.check == "checklist":
        return _checklist(spec, facts)
    return False, _("unknown check {check}").format(check=spec.check)


def evaluate(specs: Sequence[GateSpec], ticks: Mapping[str, GateTick],
             facts: GateFacts) -> list[GateItemState]:
    states = []
    for spec in specs:
        if spec.automatic:
            met, detail = measure(spec, facts)
        else:
            tick = ticks.get(spec.id)
            met, detail = tick is not None, tick.evidence if tick else ""
        states.append(GateItemState(spec, met, detail))
    return states


def can_leave(states: Sequence[GateItemState]) -> Verdict:
    """A phase may be left when every item of its gate is met."""
    missing = tuple(_("not met: {title} ({detail})").format(title=s.spec.title, detail=s.detail)
                    if s.detail else _("not met: {title}").format(title=s.spec.title)
                    for s in states if not s.met)
    return Verdict(not missing, missing)


def can_enter(needs_rollback_plan: bool, rollback_plan: str) -> Verdict:
    """The rollback-plan rule: a roll-out phase starts only with a way back written down."""
    if needs_rollback_plan and not rollback_plan_filled(rollback_plan):
        return Verdict(False, (_(
            "the roll-out cannot start without a rollback plan: write how to go back "
            "(at least {count} characters) first").format(count=MIN_ROLLBACK_PLAN),))
    return Verdict(True)
