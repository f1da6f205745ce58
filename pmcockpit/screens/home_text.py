"""What each home panel says, from the summary: a lead (wraps) and rows (one line each).

Empty states say what to do first. Data from the tools goes in as plain text,
never as markup, so a ticket subject with brackets prints as written. Phrases are
translated whole; the separators between them (" · ", ", ") are punctuation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content

from pmcockpit.core.checklist.runs import done_words
from pmcockpit.core.clock import to_local
from pmcockpit.core.i18n import _, ngettext
from pmcockpit.core.risk import RULE_LABELS, Severity
from pmcockpit.core.sla_clock import ClockState
from pmcockpit.core.wording import ago, span
from pmcockpit.widgets.checklist_items import due_label

if TYPE_CHECKING:  # annotations only: the home screen paints before the database loads
    from pmcockpit.storage.queries.home import HomeSummary, ToolHealth
    from pmcockpit.storage.queries.rollout_due import RolloutDue

PanelText = tuple[Content, list[Content]]

CONNECT_FIRST = _(
    "No tool connected yet. Press 6 (Tools), then a to add one; or from a shell, "
    "`pmcockpit connect add NAME --kind redmine --url URL`. To look around first: "
    "`pmcockpit demo`."
)

_SEVERITY_MARK = {
    Severity.CRITICAL: ("■ ", "bold $text-error"),
    Severity.HIGH: ("▲ ", "$text-error"),
    Severity.MEDIUM: ("● ", "$text-warning"),
    Severity.LOW: ("○ ", "$text-muted"),
}


def _muted(text: str) -> Content:
    return Content.styled(text, "$text-muted")


def checklist_text(summary: HomeSummary) -> PanelText:
    runs = summary.checklist_runs
    if runs is None:
        return _muted(_(
            "The daily checklist arrives in a coming version: daily inspection, "
            "weekly clean-up, monthly review. No runs yet."
        )), []
    failed = [run for run in runs if run.failures and not run.overdue]
    runs = tuple(run for run in runs if run not in failed)
    failed_rows = [Content.assemble(("⚠ ", "$text-warning"), run.name,
                                    (f"  {done_words(run.failures)}", "$text-warning"))
                   for run in failed]
    if not runs:
        if failed_rows:
            return Content.styled(ngettext(
                "Nothing else due today; {count} run done with failures",
                "Nothing else due today; {count} runs done with failures",
                len(failed)).format(count=len(failed)), "$text-warning"), failed_rows
        return Content.styled(_("Nothing due today."), "$text-success"), []
    overdue = sum(run.overdue for run in runs)
    due = len(runs) - overdue
    lead = Content(ngettext("{count:,} run due today", "{count:,} runs due today", due)
                   .format(count=due))
    if overdue:
        lead = Content.assemble(
            lead, _(", "), (_("{count:,} overdue").format(count=overdue), "$text-error"))
    rows = [
        Content.assemble(
            ("✗ " if run.overdue else "○ ", "$text-error" if run.overdue else "$text-muted"),
            run.name,
            (f"  {_when_due(run.due_at, run.overdue, summary.now)}", "$text-muted"),
        )
        for run in runs
    ]
    return lead, failed_rows + rows


def _when_due(due_at: datetime, overdue: bool, now: datetime) -> str:
    """"due 2d ago", "by 10:00" today, or the day it is due."""
    if overdue:
        return _("due {when}").format(when=ago(due_at, now))
    local_due, local_now = to_local(due_at), to_local(now)
    if local_due.date() == local_now.date():
        return _("by {time}").format(time=f"{local_due:%H:%M}")
    return _("due {when}").format(when=due_label(local_due, local_now))


def queue_text(summary: HomeSummary) -> PanelText:
    if not summary.open_tickets:
        if not summary.tools:
            return _muted(_("No tickets yet: connect a tool first (see below).")), []
        return Content.styled(_("No open tickets: the queue is clear."), "$text-success"), []
    parts: list[str | tuple[str, str]] = [
        ngettext("{count:,} open ticket", "{count:,} open tickets", summary.open_tickets)
        .format(count=summary.open_tickets)]
    if summary.sla_breached:
        parts += [" · ", (_("{count:,} past SLA").format(count=summary.sla_breached),
                          "$text-error")]
    if summary.sla_at_risk:
        parts += [" · ", (_("{count:,} at risk").format(count=summary.sla_at_risk),
                          "$text-warning")]
    if not summary.sla_breached and not summary.sla_at_risk:
        parts += [" · ", (_("all answered or in time"), "$text-success")]
    rows = []
    for ticket in summary.tickets_due:
        clock = ticket.clocks.next  # the one the Queue screen shows first
        late = clock.state is ClockState.BREACHED
        remaining = clock.left
        when = "" if remaining is None else (
            _("{span} late") if late else _("{span} left")).format(span=span(remaining))
        rows.append(Content.assemble(
            ("✗ " if late else "! ", "$text-error" if late else "$text-warning"),
            (f"{ticket.key} ", "bold"),
            (f"{when}  ", "$text-muted"),
            ticket.subject,
        ))
    return Content.assemble(*parts), rows


def review_text(summary: HomeSummary) -> PanelText:
    if not summary.accounts_total:
        if not summary.tools:
            return _muted(_("No accounts yet: connect a tool first (see below).")), []
        return _muted(_("No accounts synced yet: run `pmcockpit sync`.")), []
    total = summary.accounts_total
    if not summary.accounts_to_review:
        return Content.styled(
            ngettext("All {count:,} account pass the review rules.",
                     "All {count:,} accounts pass the review rules.", total).format(count=total),
            "$text-success",
        ), []
    # Markup, so the count is bold wherever the language puts it (numbers only: no
    # text from a tool goes through the markup parser).
    lead = Content.from_markup(
        ngettext("[b]{count:,}[/b] of {total:,} account to review",
                 "[b]{count:,}[/b] of {total:,} accounts to review", total)
        .format(count=summary.accounts_to_review, total=total))
    # One line, cut to the width: the most severe rules come first.
    counts = _(", ").join(_("{count:,} {rule}").format(count=count, rule=_(RULE_LABELS[rule]))
                       for rule, count in summary.review_counts)
    rows = [Content.styled(counts, "$text-muted")]
    rows += [
        Content.assemble(
            _SEVERITY_MARK[review.severity],
            (f"{review.login}  ", "bold"),
            _(RULE_LABELS[review.findings[0].rule]),
            (f"  {review.connection}", "$text-muted"),
        )
        for review in summary.reviews
    ]
    return lead, rows


def rollout_text(summary: HomeSummary) -> PanelText:
    items = summary.rollouts
    if not items:
        return _muted(_("Nothing due this week: no milestone, gate or struggling wave. "
                        "Press 5 for the rollouts.")), []
    struggling = sum(1 for item in items if item.what == "wave")
    drifted = sum(1 for item in items if item.what == "drift")
    due = len(items) - struggling - drifted
    lead = Content(ngettext("{count} due this week", "{count} due this week", due)
                   .format(count=due))
    if struggling:
        lead = Content.assemble(lead, " · ", (ngettext(
            "{count} wave struggling", "{count} waves struggling", struggling)
            .format(count=struggling), "$text-error"))
    return lead, [_rollout_row(item, summary.now) for item in items]


def _rollout_row(item: RolloutDue, now: datetime) -> Content:
    if item.what == "drift":
        said = _("{connection} runs {seen}, plan {planned}").format(
            connection=item.title, seen=item.seen or "?", planned=item.planned) \
            if item.planned else _("{connection} moved to {seen} without a plan").format(
                connection=item.title, seen=item.seen or "?")
        return Content.assemble(("⚠ ", "$text-warning"), said, (f"  {item.rollout}", "$text-muted")
                                if item.rollout != item.title else "")
    if item.due is None:
        return Content.assemble(("✗ ", "$text-error"), (f"{item.title} ", "bold"),
                                (_("struggling"), "$text-error"),
                                (f"  {item.rollout}", "$text-muted"))
    late = item.due < now.date()
    what = _("gate: {phase}").format(phase=item.title) if item.what == "gate" else item.title
    return Content.assemble(("! " if late else "○ ", "$text-error" if late else "$text-muted"),
                            (f"{item.due:%m-%d} ", "bold"), what,
                            (f"  {item.rollout}", "$text-muted"))


def tools_text(summary: HomeSummary) -> PanelText:
    if not summary.tools:
        return Content.styled(CONNECT_FIRST, "$text-warning"), []
    failing = sum(1 for tool in summary.tools if tool.last_sync_error)
    never = sum(1 for tool in summary.tools if tool.last_sync_at is None)
    tools = len(summary.tools)
    lead = Content(ngettext("{count:,} tool connected", "{count:,} tools connected", tools)
                   .format(count=tools))
    if failing:
        lead = Content.assemble(
            lead, " · ", (_("{count} failing").format(count=failing), "$text-error"))
    if never:
        lead = Content.assemble(
            lead, " · ", (_("{count} never synced").format(count=never), "$text-warning"))
    down = sum(1 for tool in summary.tools if tool.down)
    if down:
        lead = Content.assemble(lead, " · ", (_("{count} down").format(count=down), "$text-error"))
    name_width = max(len(tool.name) for tool in summary.tools)
    kind_width = max(len(tool.kind) for tool in summary.tools)
    health_width = max(cell_len(_health_words(tool)[0]) for tool in summary.tools)
    rows = []
    # Failing and never-synced tools first: if the panel runs out of room, healthy ones go.
    for tool in sorted(summary.tools, key=lambda t: (not (t.last_sync_error or t.down),
                                                     t.last_sync_at is not None)):
        troubled = bool(tool.last_sync_error) or tool.down
        if tool.last_sync_error:
            mark, state = ("✗ ", "$text-error"), (
                _("failed: {error}").format(error=tool.last_sync_error), "$text-error")
        elif tool.last_sync_at is None:
            mark, state = ("○ ", "$text-warning"), (_("never synced"), "$text-warning")
        else:
            mark, state = ("● ", "$text-success"), (
                ngettext("{count:,} account", "{count:,} accounts", tool.accounts)
                .format(count=tool.accounts), "")
        if tool.down:
            mark = ("✗ ", "$text-error")
        synced = ("", "")
        if tool.last_sync_at is not None:
            # A tool in trouble: the cockpit works from its last good sync; say how old.
            synced = (
                _("data {age} old").format(age=span(summary.now - tool.last_sync_at)) + "  ",
                "$text-warning",
            ) if troubled else (
                _("synced {when}").format(when=ago(tool.last_sync_at, summary.now)) + "  ",
                "$text-muted",
            )
        rows.append(Content.assemble(
            mark,
            (tool.name.ljust(name_width) + "  ", "bold"),
            (tool.kind.ljust(kind_width) + "  ", "$text-muted"),
            _health_words(tool, health_width),
            synced,
            state,
        ))
    return lead, rows


def _health_words(tool: ToolHealth, width: int = 0) -> tuple[str, str]:
    """The last health check in a word or two: "up 85 ms", "down", "auth failed"."""
    health = tool.health
    if health is None:
        return " " * width, ""
    if not health.reachable:
        words, style = _("down"), "$text-error"
    elif not health.authenticated:
        words, style = _("auth failed"), "$text-error"
    elif health.latency_ms is None:
        words, style = _("up"), "$text-success"
    else:
        words = _("up {latency} ms").format(latency=f"{health.latency_ms:.0f}")
        style = "$text-success"
    words += "  "
    # Padded in cells, not characters: a translation may use wide characters.
    return words + " " * max(0, width - cell_len(words)), style
