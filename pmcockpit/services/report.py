"""The monthly operations bulletin (the articles' 《运维简报》), as Markdown.

What the month's routine achieved, from pmcockpit's own records: checklist
completion and on-time rate, the failures and what was done about them (the
steps' notes), each tool's availability as the checks measured it (the health
history), the access changes made (the audit log) and tickets opened and resolved
(the synced state). A checklist's periods count in the month they end in, so each
period is counted once and only once its outcome is known.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from pmcockpit.core.actions import SPECS, ActionKind
from pmcockpit.core.capabilities import Capability
from pmcockpit.core.checklist import OnTimeRate, StepState, Timeliness, count_outcomes
from pmcockpit.core.checklist import period_outcomes as outcomes_of
from pmcockpit.core.clock import to_local, to_utc
from pmcockpit.core.i18n import _, format_month, ngettext
from pmcockpit.core.wording import on_time_rate
from pmcockpit.services import audit_log
from pmcockpit.services.checklist import local_now
from pmcockpit.services.queue import sla_policy
from pmcockpit.services.templates import load_templates
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import checklist_runs, connections
from pmcockpit.storage.models import AuditEntry, Ticket
from pmcockpit.storage.queries.queue_metrics import QueueMetrics, queue_metrics

ACCESS_CAPABILITIES = frozenset({Capability.LOCK_USERS, Capability.DEACTIVATE_USERS,
                                 Capability.MANAGE_MEMBERSHIPS, Capability.MANAGE_GROUPS})
_KINDS = {kind.value: kind for kind in ActionKind}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """``2026-11`` as the month's first day; ValueError says what to write."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(_("month must be written YYYY-MM, such as 2026-11, not {text!r}")
                         .format(text=text))
    return date(int(match.group(1)), int(match.group(2)), 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class ChecklistMonth:
    name: str
    rate: OnTimeRate
    open: int
    """Periods of the month still running and not complete."""
    missed: tuple[str, ...]
    """Keys of the missed periods."""


@dataclass(frozen=True, slots=True)
class StepFailure:
    period: str
    checklist: str
    step: str
    state: StepState
    finding: str
    """What the check found (its value and first line), or "" for a manual step."""
    note: str


@dataclass(frozen=True, slots=True)
class AccessChange:
    at: datetime
    operator: str
    connection: str
    action: str
    target: str
    reason: str


@dataclass(frozen=True, slots=True)
class ToolMonth:
    name: str
    availability: float | None
    tickets_opened: int
    tickets_resolved: int
    tickets_open: int
    """Open at the last sync."""


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    month: date
    until: date
    """The month's last day, or today while the month lasts."""
    generated_at: datetime
    operator: str
    checklists: tuple[ChecklistMonth, ...]
    failures: tuple[StepFailure, ...]
    tools: tuple[ToolMonth, ...]
    access_changes: tuple[AccessChange, ...]
    other_actions: int
    """Succeeded actions that did not change access (ticket comments, status changes)."""
    audit: AuditSeal | None = None
    """The audit log's state and signed checkpoint when the bulletin was written."""
    service_levels: QueueMetrics | None = None
    """Times to first response and to resolution over the 30 days to the month's end."""

    @property
    def overall(self) -> OnTimeRate:
        return OnTimeRate(sum(c.rate.on_time for c in self.checklists),
                          sum(c.rate.late for c in self.checklists),
                          sum(c.rate.missed for c in self.checklists))


@dataclass(frozen=True, slots=True)
class AuditSeal:
    intact: bool
    problems: tuple[str, ...]
    in_doubt: int
    checkpoint: str
    """The signed head (``pmcockpit audit verify --checkpoint`` proves it later)."""


def audit_seal(workspace: Workspace) -> AuditSeal:
    result = audit_log.verify(workspace)
    return AuditSeal(result.intact, tuple(p.message for p in result.problems),
                     len(result.in_doubt), audit_log.checkpoint(workspace))


def monthly_report(workspace: Workspace, month: date, now: datetime | None = None
                   ) -> MonthlyReport:
    """Gather the bulletin of ``month`` (its first day); raises ValueError for a future one."""
    now = now or local_now()
    month = month.replace(day=1)
    if month > now.date():
        raise ValueError(_("{month} has not begun yet").format(month=f"{month:%Y-%m}"))
    last_day = _next_month(month) - timedelta(days=1)
    until = min(last_day, now.date())
    start_utc = to_utc(datetime.combine(month, time()))
    end_utc = to_utc(datetime.combine(_next_month(month), time()))
    templates = load_templates(workspace.settings).templates.values()
    checklists, failures = [], []
    with workspace.db.session() as session:
        for template in templates:
            adopted = checklist_runs.first_period_start(session, template.key)
            if adopted is None:
                continue
            runs = [s.run for s in checklist_runs.runs_of(session, template.key, since=month)]
            outcomes = [o for o in outcomes_of(template.recurrence, runs, max(month, adopted),
                                               now.date())
                        if month <= o.period.end <= last_day and o.period.start <= until]
            if not outcomes:
                continue
            checklists.append(ChecklistMonth(
                template.name, count_outcomes(outcomes),
                sum(o.timeliness is Timeliness.OPEN for o in outcomes),
                tuple(o.period.key for o in outcomes if o.timeliness is Timeliness.MISSED)))
            failures += [
                StepFailure(o.period.key, template.name, step.title, step.state,
                            _finding(step.result.value, step.result.message)
                            if step.result else "", step.note)
                for o in outcomes if o.run is not None for step in o.run.steps
                if step.state in (StepState.FAILED, StepState.SKIPPED)]
        tools = _tools(session, start_utc, end_utc)
        changes, other = _access_changes(session, start_utc, end_utc)
        levels = queue_metrics(session, min(end_utc, to_utc(now)),
                               sla_policy(workspace.settings))
    return MonthlyReport(month, until, now, workspace.settings.operator, tuple(checklists),
                         tuple(failures), tuple(tools), tuple(changes), other,
                         audit_seal(workspace), levels)


def _finding(value: str, message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else ""
    return f"{value}: {first}" if first else value


def _tools(session: Session, start: datetime, end: datetime) -> list[ToolMonth]:
    opened = and_(Ticket.created_at >= start, Ticket.created_at < end)
    resolved = and_(Ticket.is_closed.is_(True), Ticket.updated_at >= start,
                    Ticket.updated_at < end)
    still_open = Ticket.is_closed.is_(False)
    counts = {row.connection_id: row for row in session.execute(
        select(Ticket.connection_id,
               func.count(Ticket.id).filter(opened).label("opened"),
               func.count(Ticket.id).filter(resolved).label("resolved"),
               func.count(Ticket.id).filter(still_open).label("open"))
        .group_by(Ticket.connection_id))}
    tools = []
    for connection in connections.all_connections(session):
        row = counts.get(connection.id)
        tools.append(ToolMonth(
            connection.name, connections.availability(session, connection.name, start, end),
            row.opened if row else 0, row.resolved if row else 0, row.open if row else 0))
    return tools


def _access_changes(session: Session, start: datetime, end: datetime
                    ) -> tuple[list[AccessChange], int]:
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.at >= start, AuditEntry.at < end, AuditEntry.status == "succeeded",
    ).order_by(AuditEntry.at)).all()
    changes, other = [], 0
    for entry in entries:
        kind = _KINDS.get(entry.action)
        if kind is None or SPECS[kind].capability not in ACCESS_CAPABILITIES:
            other += 1
            continue
        changes.append(AccessChange(to_local(entry.at), entry.operator, entry.connection_name,
                                    SPECS[kind].title, entry.target, entry.reason))
    return changes, other


# --- Markdown ----------------------------------------------------------------------------


def monthly_bulletin(workspace: Workspace, month: date, now: datetime | None = None) -> str:
    return render_markdown(monthly_report(workspace, month, now))


def _cell(text: object) -> str:
    """Table cells hold one line and no bare pipes."""
    return " ".join(str(text).split()).replace("|", "\\|") or "–"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _column in header) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _percent(rate: float | None) -> str:
    return _("not measured") if rate is None else f"{rate:.1%}" if rate < 1 else "100%"


def render_markdown(report: MonthlyReport) -> str:
    month = report.month
    last_day = _next_month(month) - timedelta(days=1)
    covers = _("Covers {start} to {end}.") if report.until == last_day else \
        _("Covers {start} to {end} (so far: to {until}).")
    lines = [_("# Operations bulletin — {month}").format(month=format_month(month)), "",
             covers.format(start=f"{month:%Y-%m-%d}", end=f"{last_day:%Y-%m-%d}",
                           until=f"{report.until:%Y-%m-%d}") + " " +
             _("Written {at} by {who}.").format(at=f"{report.generated_at:%Y-%m-%d %H:%M}",
                                               who=report.operator),
             "", _("## Checklists"), ""]
    if report.checklists:
        lines += _table(
            [_("Checklist"), _("On time"), _("Late"), _("Missed"), _("Still open"),
             _("On-time rate")],
            [(c.name, c.rate.on_time, c.rate.late, c.rate.missed, c.open,
              _percent(c.rate.rate) if c.rate.counted else "–") for c in report.checklists])
        lines += ["", _("Overall: {rate}.").format(rate=on_time_rate(report.overall))]
        missed = [f"{c.name} {', '.join(c.missed)}" for c in report.checklists if c.missed]
        if missed:
            lines += ["", _("Missed: {periods}.").format(periods="; ".join(missed))]
    else:
        lines.append(_("No checklist was run this month."))
    lines += ["", _("## Failures and what was done"), ""]
    if report.failures:
        for failure in report.failures:
            finding = f" — {failure.finding}" if failure.finding else ""
            lines.append(f"- **{failure.period} · {failure.checklist} · {failure.step}** "
                         f"({failure.state}){finding}")
            lines.append(_("  - What was done: {note}").format(
                note=" ".join(failure.note.split()) or _("(no note)")))
    else:
        lines.append(_("No step failed or was skipped."))
    lines += ["", _("## Availability"), ""]
    if report.tools:
        lines += _table([_("Tool"), _("Availability (as measured by the checks)")],
                        [(t.name, _percent(t.availability)) for t in report.tools])
    else:
        lines.append(_("No tools are connected."))
    lines += ["", _("## Access changes"), ""]
    if report.access_changes:
        lines += _table([_("When"), _("Who"), _("Tool"), _("Change"), _("Target"), _("Why")],
                        [(f"{c.at:%Y-%m-%d %H:%M}", c.operator, c.connection, c.action,
                          c.target, c.reason) for c in report.access_changes])
    else:
        lines.append(_("No access was changed through pmcockpit."))
    if report.other_actions:
        lines += ["", _("Other actions taken (tickets): {n}.").format(n=report.other_actions)]
    lines += _audit_section(report.audit)
    lines += ["", _("## Tickets"), ""]
    if report.tools:
        lines += _table([_("Tool"), _("Opened"), _("Resolved"), _("Open at the last sync")],
                        [(t.name, t.tickets_opened, t.tickets_resolved, t.tickets_open)
                         for t in report.tools])
    else:
        lines.append(_("No tools are connected."))
    lines += _service_level_section(report.service_levels)
    return "\n".join(lines) + "\n"


def _service_level_section(levels: QueueMetrics | None) -> list[str]:
    if levels is None or not levels.per_tool:
        return []
    rows = [(t.tool, t.response.text(), t.resolution.text(), t.breached_week)
            for t in levels.per_tool]
    rows.append((_("All tools"), levels.response.text(), levels.resolution.text(),
                 levels.breached_week))
    return ["", _("Service levels over the last 30 days (median, 90th percentile):"), "",
            *_table([_("Tool"), _("First response"), _("Resolution"),
                     _("Breached in the last week")], rows)]


def _audit_section(seal: AuditSeal | None) -> list[str]:
    if seal is None:
        return []
    lines = ["", _("## Audit log"), ""]
    if seal.intact:
        lines.append(_("The audit log verifies (keyed chain and head)."))
    else:
        lines.append(_("The audit log does NOT verify: {problems}").format(
            problems="; ".join(seal.problems)))
    if seal.in_doubt:
        lines.append(ngettext("{n} action is in doubt (`pmcockpit audit reconcile`).",
                              "{n} actions are in doubt (`pmcockpit audit reconcile`).",
                              seal.in_doubt).format(n=seal.in_doubt))
    lines += ["", _("Checkpoint: keep a copy; `pmcockpit audit verify --checkpoint FILE` "
                    "later proves that no entry up to it changed."), "", "```json",
              seal.checkpoint, "```"]
    return lines
