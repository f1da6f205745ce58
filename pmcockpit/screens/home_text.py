"""What each home panel says, from the summary: a lead (wraps) and rows (one line each).

Empty states say what to do first. Data from the tools goes in as plain text,
never as markup, so a ticket subject with brackets prints as written.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from pmcockpit.core.clock import to_local
from pmcockpit.core.risk import RULE_LABELS, Severity
from pmcockpit.core.sla import SlaState
from pmcockpit.core.wording import ago, plural, span
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.queries.home import HomeSummary
from pmcockpit.widgets.checklist_items import due_label

PanelText = tuple[Content, list[Content]]

CONNECT_FIRST = (
    "No tool connected yet. Add one with "
    "`pmcockpit connect add NAME --kind redmine --url URL`, or try `pmcockpit demo`."
)

_SEVERITY_MARK = {
    Severity.HIGH: ("▲ ", "$error"),
    Severity.MEDIUM: ("● ", "$warning"),
    Severity.LOW: ("○ ", "$text-muted"),
}


def _muted(text: str) -> Content:
    return Content.styled(text, "$text-muted")


def checklist_text(summary: HomeSummary) -> PanelText:
    runs = summary.checklist_runs
    if runs is None:
        return _muted(
            "The daily checklist arrives in a coming version: daily inspection, "
            "weekly clean-up, monthly review. No runs yet."
        ), []
    if not runs:
        return Content.styled("Nothing due today.", "$text-success"), []
    overdue = sum(run.overdue for run in runs)
    lead = Content.assemble(plural(len(runs) - overdue, "run"), " due today")
    if overdue:
        lead = Content.assemble(lead, ", ", (f"{overdue:,} overdue", "$text-error"))
    rows = [
        Content.assemble(
            ("✗ " if run.overdue else "○ ", "$error" if run.overdue else "$text-muted"),
            run.name,
            (f"  {_when_due(run.due_at, run.overdue, summary.now)}", "$text-muted"),
        )
        for run in runs
    ]
    return lead, rows


def _when_due(due_at: datetime, overdue: bool, now: datetime) -> str:
    """"due 2d ago", "by 10:00" today, or the day it is due."""
    if overdue:
        return f"due {ago(due_at, now)}"
    local_due, local_now = to_local(due_at), to_local(now)
    if local_due.date() == local_now.date():
        return f"by {local_due:%H:%M}"
    return f"due {due_label(local_due, local_now)}"


def queue_text(summary: HomeSummary) -> PanelText:
    if not summary.open_tickets:
        if not summary.tools:
            return _muted("No tickets yet: connect a tool first (see below)."), []
        return Content.styled("No open tickets: the queue is clear.", "$text-success"), []
    parts: list[str | tuple[str, str]] = [plural(summary.open_tickets, "open ticket")]
    if summary.sla_breached:
        parts += [" · ", (f"{summary.sla_breached:,} past SLA", "$text-error")]
    if summary.sla_at_risk:
        parts += [" · ", (f"{summary.sla_at_risk:,} at risk", "$text-warning")]
    if not summary.sla_breached and not summary.sla_at_risk:
        parts += [" · ", ("all answered or in time", "$text-success")]
    rows = []
    for ticket in summary.tickets_due:
        late = ticket.sla.state == SlaState.BREACHED
        remaining = ticket.sla.remaining
        when = "" if remaining is None else span(remaining) + (" late" if late else " left")
        rows.append(Content.assemble(
            ("✗ " if late else "! ", "$error" if late else "$warning"),
            (f"{ticket.key} ", "bold"),
            (f"{when}  ", "$text-muted"),
            ticket.subject,
        ))
    return Content.assemble(*parts), rows


def review_text(summary: HomeSummary) -> PanelText:
    if not summary.accounts_total:
        if not summary.tools:
            return _muted("No accounts yet: connect a tool first (see below)."), []
        return _muted("No accounts synced yet: run `pmcockpit sync`."), []
    if not summary.accounts_to_review:
        return Content.styled(
            f"All {plural(summary.accounts_total, 'account')} pass the review rules.",
            "$text-success",
        ), []
    lead = Content.assemble(
        (f"{summary.accounts_to_review:,}", "bold"),
        f" of {plural(summary.accounts_total, 'account')} to review",
    )
    # One line, cut to the width: the most severe rules come first.
    counts = ", ".join(f"{count:,} {RULE_LABELS[rule]}" for rule, count in summary.review_counts)
    rows = [Content.styled(counts, "$text-muted")]
    rows += [
        Content.assemble(
            _SEVERITY_MARK[review.severity],
            (f"{review.login}  ", "bold"),
            RULE_LABELS[review.findings[0].rule],
            (f"  {review.connection}", "$text-muted"),
        )
        for review in summary.reviews
    ]
    return lead, rows


def rollout_text(summary: HomeSummary) -> PanelText:
    # Filled when the rollout tracker arrives.
    return _muted(
        "The rollout tracker arrives in a coming version: pilot, full rollout, "
        "optimisation, with their milestones."
    ), []


def tools_text(summary: HomeSummary) -> PanelText:
    if not summary.tools:
        return Content.styled(CONNECT_FIRST, "$text-warning"), []
    failing = sum(1 for tool in summary.tools if tool.last_sync_error)
    never = sum(1 for tool in summary.tools if tool.last_sync_at is None)
    lead = Content(plural(len(summary.tools), "tool") + " connected")
    if failing:
        lead = Content.assemble(lead, " · ", (f"{failing} failing", "$text-error"))
    if never:
        lead = Content.assemble(lead, " · ", (f"{never} never synced", "$text-warning"))
    down = sum(1 for tool in summary.tools if tool.down)
    if down:
        lead = Content.assemble(lead, " · ", (f"{down} down", "$text-error"))
    name_width = max(len(tool.name) for tool in summary.tools)
    kind_width = max(len(tool.kind) for tool in summary.tools)
    health_width = max(len(_health_words(tool.health)[0]) for tool in summary.tools)
    rows = []
    # Failing and never-synced tools first: if the panel runs out of room, healthy ones go.
    for tool in sorted(summary.tools, key=lambda t: (not (t.last_sync_error or t.down),
                                                     t.last_sync_at is not None)):
        troubled = bool(tool.last_sync_error) or tool.down
        if tool.last_sync_error:
            mark, state = ("✗ ", "$error"), (f"failed: {tool.last_sync_error}", "$text-error")
        elif tool.last_sync_at is None:
            mark, state = ("○ ", "$warning"), ("never synced", "$text-warning")
        else:
            mark, state = ("● ", "$success"), (plural(tool.accounts, "account"), "")
        if tool.down:
            mark = ("✗ ", "$error")
        synced = ("", "")
        if tool.last_sync_at is not None:
            # A tool in trouble: the cockpit works from its last good sync; say how old.
            synced = (f"data {span(summary.now - tool.last_sync_at)} old  ", "$text-warning") \
                if troubled else (f"synced {ago(tool.last_sync_at, summary.now)}  ",
                                  "$text-muted")
        rows.append(Content.assemble(
            mark,
            (tool.name.ljust(name_width) + "  ", "bold"),
            (tool.kind.ljust(kind_width) + "  ", "$text-muted"),
            _health_words(tool.health, health_width),
            synced,
            state,
        ))
    return lead, rows


def _health_words(health: HealthFacts | None, width: int = 0) -> tuple[str, str]:
    """The last health check in a word or two: "up 85 ms", "down", "auth failed"."""
    if health is None:
        words, style = "", ""
    elif not health.reachable:
        words, style = "down  ", "$text-error"
    elif not health.authenticated:
        words, style = "auth failed  ", "$text-error"
    else:
        latency = f" {health.latency_ms:.0f} ms" if health.latency_ms is not None else ""
        words, style = f"up{latency}  ", "$text-success"
    return words.ljust(width), style
