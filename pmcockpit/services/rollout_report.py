"""A rollout's status report for stakeholders, as Markdown or as JSON-ready data.

Phase, milestones, the current gate, the adoption table, open risks and change
requests: the same :class:`RolloutDetail` the screen shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pmcockpit.core.i18n import _
from pmcockpit.core.rollout import (
    Decision,
    decision_label,
    drift_label,
    health_label,
    kind_label,
    level_label,
    reason_label,
    sparkline,
    wave_label,
)
from pmcockpit.core.rollout.adoption import Cohort
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.queries.rollout import RolloutDetail, rollout_cohorts, rollout_detail


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def report_data(view: RolloutDetail, cohorts: Sequence[Cohort] = ()) -> dict[str, Any]:
    """Everything the report says, as plain values (for ``--json``)."""
    current = view.current
    version = view.version
    return {
        "name": view.name, "kind": view.kind.value, "plan": view.plan_name,
        "owner": view.owner, "connection": view.connection,
        "health": view.health.health.value, "health_reasons": list(view.health.reasons),
        "phase": current.phase_id if current else None,
        "phases": [{"id": p.phase_id, "title": p.title, "planned_start": _day(p.planned_start),
                    "planned_end": _day(p.planned_end), "actual_start": _day(p.actual_start),
                    "actual_end": _day(p.actual_end)} for p in view.phases],
        "gate": [{"id": g.spec.id, "title": g.spec.title, "automatic": g.spec.automatic,
                  "met": g.met, "detail": g.detail} for g in view.gate],
        "milestones": [{"title": m.title, "due": _day(m.due), "done_on": _day(m.done_on)}
                       for m in view.milestones],
        "waves": [{"name": w.name, "status": w.status.value, "go_live": _day(w.go_live),
                   "break_in_end": _day(w.break_in_end), "teams": list(w.teams)}
                  for w in view.waves],
        "adoption": [{"team": a.team, "wave": a.wave, "expected": a.figures.expected,
                      "accounts": a.figures.accounts, "active_7": a.figures.active_7,
                      "active_30": a.figures.active_30, "trend": list(a.trend)}
                     if a.figures else {"team": a.team, "wave": a.wave} for a in view.adoption],
        "ticket_kpis": [{"team": k.team, "created": k.created, "closed": k.closed,
                         "open": k.open, "late": k.late, "completion": k.completion,
                         "late_share": k.late_share, "completion_trend": list(k.trend)}
                        for k in view.kpis],
        "changes": [{"id": c.id, "title": c.title, "impact": c.impact.value,
                     "priority": c.priority.value, "decision": c.decision.value,
                     "decided_by": c.decided_by, "reason": c.reason} for c in view.changes],
        "risks": [{"title": r.title, "impact": r.impact.value, "mitigation": r.mitigation}
                  for r in view.risks],
        "version": None if version is None else {
            "connection": version.connection, "observed": version.observed,
            "reported_by_tool": version.reported_by_tool, "planned": version.planned_current,
            "target": version.target, "drift": version.drift.value,
            "path": [{"series": str(step), "required_stop": step.required_stop,
                      "at_least": step.at_least or None, "condition": step.condition}
                     for step in version.path]},
        "training": [{"team": t.team, "held_on": _day(t.held_on), "invited": t.invited,
                      "attended": t.attended} for t in view.training],
        "cohorts": [{"month": c.month, "size": c.size, "active_share": list(c.shares)}
                    for c in cohorts],
        "rollback_plan": view.rollback_plan,
    }


def report_markdown(view: RolloutDetail, now: datetime,
                    cohorts: Sequence[Cohort] = ()) -> str:
    lines = [f"# {view.name}", "",
             _("{kind}, plan {plan}, owner {owner}. Status on {day}: **{health}**.").format(
                 kind=kind_label(view.kind), plan=view.plan_name, owner=view.owner,
                 day=now.date().isoformat(), health=health_label(view.health.health))]
    lines += [f"- {reason_label(reason)}" for reason in view.health.reasons]
    lines += ["", f"## {_('Phases')}", "", _("| Phase | Planned | Actual |"), "|---|---|---|"]
    for index, phase in enumerate(view.phases):
        mark = " ◀" if index == view.phase_index else ""
        actual = f"{_day(phase.actual_start) or ''} – {_day(phase.actual_end) or ''}"
        lines.append(f"| {phase.title}{mark} | {phase.planned_start} – {phase.planned_end} "
                     f"| {actual} |")
    if view.current is not None:
        lines += ["", f"## {_('Gate to leave {phase}').format(phase=view.current.title)}", ""]
        lines += [f"- [{'x' if g.met else ' '}] {g.spec.title}" + (f": {g.detail}"
                                                                  if g.detail else "")
                  for g in view.gate]
    lines += _section(_("Milestones"), [
        f"- [{'x' if m.done_on else ' '}] {m.due} {m.title}" for m in view.milestones])
    lines += _section(_("Waves"), [
        _("- {wave}: {status}, live {go_live}, break-in until {end}; teams: {teams}").format(
            wave=w.name, status=wave_label(w.status), go_live=_day(w.go_live) or "–",
            end=_day(w.break_in_end) or "–", teams=", ".join(w.teams) or "–")
        for w in view.waves])
    lines += _adoption_table(view)
    lines += _kpi_table(view)
    lines += _cohort_table(cohorts)
    lines += _section(_("Training"), [
        _("- {day} {team}: {attended} of {invited} attended").format(
            day=t.held_on, team=t.team, attended=t.attended, invited=t.invited)
        for t in view.training])
    lines += _section(_("Open risks"), [
        f"- ({level_label(r.impact)}) {r.title}" + (f": {r.mitigation}" if r.mitigation else "")
        for r in view.risks])
    lines += _section(_("Change requests"), [
        _("- #{id} {title} (impact {impact}, priority {priority}): {decision}").format(
            id=c.id, title=c.title, impact=level_label(c.impact),
            priority=level_label(c.priority), decision=decision_label(c.decision))
        + ("" if c.decision is Decision.PENDING else
           _(" by {who}: {why}").format(who=c.decided_by, why=c.reason))
        for c in view.changes])
    if view.version is not None:
        v = view.version
        lines += _section(_("Version"), [
            _("- {connection}: runs {observed}, planned from {planned} to {target}; {drift}")
            .format(connection=v.connection, observed=v.observed or "?",
                    planned=v.planned_current or "?", target=v.target or "?",
                    drift=drift_label(v.drift)),
            *([_("- upgrade path: {path}").format(
                path=" → ".join(step.describe() for step in v.path))]
              if v.path else []),
            _("- rollback plan: {plan}").format(plan=view.rollback_plan or _("not written"))])
    return "\n".join(lines) + "\n"


def _section(title: str, rows: list[str]) -> list[str]:
    return ["", f"## {title}", "", *(rows or [_("None.")])]


def _adoption_table(view: RolloutDetail) -> list[str]:
    rows = [f"| {a.team} | {a.wave} | {a.figures.expected} | {a.figures.accounts} | "
            f"{a.figures.active_7} | {a.figures.active_30} | {sparkline(a.trend)} |"
            for a in view.adoption if a.figures is not None]
    if not rows:
        return _section(_("Adoption"), [_("Not measured yet: teams are measured at each sync.")])
    return ["", f"## {_('Adoption')}", "",
            _("| Team | Wave | Expected | Accounts | Active 7 d | Active 30 d | Trend |"),
            "|---|---|---|---|---|---|---|", *rows]


def _kpi_table(view: RolloutDetail) -> list[str]:
    rows = [f"| {k.team} | {k.created} | {k.closed} | {k.open} | "
            f"{_share(k.completion)} | {_share(k.late_share)} | {sparkline(k.trend)} |"
            for k in view.kpis if not k.empty]
    if not rows:
        return []
    return ["", f"## {_('Tickets, last 30 days')}", "",
            _("| Team | Created | Closed | Open | Done | Late | Trend |"),
            "|---|---|---|---|---|---|---|",
            *rows, "", _("Done: closed of closed and still open. Late: open longer than "
                         "30 days (the tools' due dates are not synced).")]


def _share(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def _cohort_table(cohorts: Sequence[Cohort], months: int = 6) -> list[str]:
    """The latest cohorts: of the accounts created in a month, the share active each
    month since (up to ``months`` of them)."""
    recent = [c for c in cohorts if c.size][-months:]
    if not recent:
        return []
    header = "| " + _("Created") + " | " + _("Accounts") + " | " + " | ".join(
        f"+{index}" for index in range(months)) + " |"
    rows = [f"| {c.month} | {c.size} | " + " | ".join(
        f"{share:.0%}" for share in c.shares[:months]) + " |" for c in recent]
    return ["", f"## {_('Monthly cohorts (share active each month since)')}", "", header,
            "|---|---|" + "---|" * months, *rows]


def rollout_report(workspace: Workspace, ref: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """The report as Markdown and as data."""
    with workspace.db.session() as session:
        view = rollout_detail(session, ref, now.date())
        cohorts = rollout_cohorts(session, ref, now)
    return report_markdown(view, now, cohorts), report_data(view, cohorts)
