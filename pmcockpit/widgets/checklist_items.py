"""How the checklist screens word runs, steps and history: plain functions returning Content.

Every state has a mark as well as a colour (✗ ! ✓ ○ –), so it reads the same
without colour (NO_COLOR). Text from templates and notes goes in as plain text,
never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from textual.content import Content

from pmcockpit.core.checklist import (
    CheckResult,
    CheckStatus,
    DueState,
    OnTimeRate,
    Period,
    RecurrenceKind,
    RunStep,
    StepState,
    TemplateProblem,
    Timeliness,
)
from pmcockpit.core.clock import to_local
from pmcockpit.core.wording import plural, span
from pmcockpit.services.checklist import DueItem, RunDetail, StepOutcome, StepProgress

Clock = Callable[[], datetime]

_STEP_MARK: dict[StepState, tuple[str, str]] = {
    StepState.PENDING: ("○ to do", "$text-muted"),
    StepState.DONE: ("✓ done", "$text-success"),
    StepState.PASSED: ("✓ passed", "$text-success"),
    StepState.WARNED: ("! warned", "$text-warning"),
    StepState.FAILED: ("✗ failed", "$text-error"),
    StepState.SKIPPED: ("– skipped", "$text-muted"),
}

_CHECK_MARK: dict[CheckStatus, tuple[str, str]] = {
    CheckStatus.PASS: ("✓", "$text-success"),
    CheckStatus.WARN: ("!", "$text-warning"),
    CheckStatus.FAIL: ("✗", "$text-error"),
    CheckStatus.ERROR: ("✗", "$text-error"),
}

_TIMELINESS_MARK: dict[Timeliness, tuple[str, str]] = {
    Timeliness.ON_TIME: ("✓ on time", "$text-success"),
    Timeliness.LATE: ("! late", "$text-warning"),
    Timeliness.MISSED: ("✗ missed", "$text-error"),
    Timeliness.OPEN: ("○ open", "$text-muted"),
}


def local_now(clock: Clock) -> datetime:
    """The app's clock gives naive UTC; runs live in the administrator's local day."""
    return to_local(clock()).replace(microsecond=0)


# --- dates and times ------------------------------------------------------------------


def clock_time(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def day_label(day: date, now: datetime) -> str:
    """"today", "yesterday", "Wed 25 Nov", or "25 Nov 2025" once it is not this year."""
    if isinstance(day, datetime):
        day = day.date()
    delta = (day - now.date()).days
    if delta == 0:
        return "today"
    if delta == -1:
        return "yesterday"
    if delta == 1:
        return "tomorrow"
    if day.year != now.year:
        return day.strftime("%-d %b %Y")
    return day.strftime("%a %-d %b")


def moment_label(moment: datetime, now: datetime) -> str:
    return f"{day_label(moment, now)} {clock_time(moment)}"


def due_label(due_at: datetime, now: datetime) -> str:
    """When a run is due: "today 10:00", or just the day when the whole day is allowed."""
    if due_at.time() == time.max:
        return day_label(due_at, now)
    return moment_label(due_at, now)


def period_label(period: Period, kind: RecurrenceKind, now: datetime) -> str:
    """A daily period by its day, the longer ones by their span this year, or by their key
    ("2025-W52", "2025-Q4") before: at most 15 characters."""
    if kind is RecurrenceKind.DAILY:
        return day_label(period.start, now)
    if period.start.year == now.year and period.end.year == now.year:
        return f"{period.start:%-d %b} – {period.end:%-d %b}"
    return period.key


# --- the list of checklists -----------------------------------------------------------


def due_cell(item: DueItem, now: datetime) -> Content:
    """"✗ OVERDUE 2h", "○ due", "✓ done": overdue loud, with how late."""
    if item.state is DueState.OVERDUE:
        return Content.styled(f"✗ OVERDUE {span(now - item.due_at)}", "bold $text-error")
    if item.state is DueState.DONE:
        return Content.styled("✓ done", "$text-success")
    if item.state is DueState.MISSED:
        return Content.styled("✗ missed", "$text-error")
    if item.state is DueState.UPCOMING:
        return Content.styled("· upcoming", "$text-muted")
    if item.needs_attention:
        return Content.styled("○ due today", "$text-warning")
    return Content.styled("○ due", "$text-muted")


def overview_lead(items: Sequence[DueItem]) -> Content:
    overdue = sum(item.overdue for item in items)
    today = sum(item.needs_attention and not item.overdue for item in items)
    done = sum(item.state is DueState.DONE for item in items)
    parts: list[Content] = []
    if overdue:
        parts.append(Content.styled(f"{overdue} overdue", "bold $text-error"))
    if today:
        parts.append(Content.styled(f"{today} due today", "$text-warning"))
    if done:
        parts.append(Content.styled(f"{done} done", "$text-success"))
    parts.append(Content(plural(len(items), "checklist")))
    return Content(" · ").join(parts)


def about_template(item: DueItem, now: datetime) -> Content:
    """The highlighted checklist: what it is, how often, and this period's run."""
    template = item.template
    opened = "not started: Enter starts it" if item.run_id is None else \
        f"{item.progress} steps done: Enter opens it"
    head = Content.assemble(
        (template.name, "bold"),
        (f"  {template.recurrence.describe()}, due {due_label(item.due_at, now)}; {opened}",
         "$text-muted"),
    )
    if not template.description:
        return head
    return Content.assemble(head, "\n", template.description)


def problems_title(problems: Sequence[TemplateProblem]) -> str:
    return f"{plural(len(problems), 'template problem')}: left out until fixed"


def problems_text(problems: Sequence[TemplateProblem]) -> Content:
    """Each broken template's mistakes as file:line: what to fix."""
    return Content("\n").join(
        Content.assemble(("✗ ", "$text-error"), (f"{problem.source}:{problem.line}", "bold"),
                         ": ", problem.message)
        for problem in problems)


# --- a run --------------------------------------------------------------------------------


def step_cell(step: RunStep) -> Content:
    label, style = _STEP_MARK[step.state]
    return Content.styled(label, style)


def step_kind(step: RunStep) -> Content:
    return Content.styled("auto" if step.automated else "hand", "$text-muted")


def check_cell(result: CheckResult | None) -> Content:
    """A step's state cell while the checks run: checking, then the check's verdict."""
    if result is None:
        return Content.styled("… running", "bold $text-accent")
    mark, style = _CHECK_MARK[result.status]
    return Content.styled(f"{mark} {result.status}", style)


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def step_summary(step: RunStep, width: int) -> Content:
    """The table's last column: a note still wanted, the check's figure, or the note."""
    if step.needs_note:
        return Content.styled(cut("note needed (n)", width), "bold $text-error")
    if step.result is not None and step.state in (StepState.PASSED, StepState.WARNED,
                                                   StepState.FAILED):
        return Content(cut(step.result.value, width))
    return Content.styled(cut(step.note, width), "$text-muted")


def run_lead(detail: RunDetail, now: datetime) -> Content:
    """"Daily inspection · today · 3/8 done · due 10:00", or overdue, or complete."""
    run = detail.run
    due_at = run.period.due_at(run.due_time)
    parts = [
        Content.styled(detail.name, "bold"),
        Content(period_label(run.period, detail.stored.recurrence, now)),
        Content(f"{run.progress} done"),
    ]
    state = detail.due_state(now)
    if run.complete and run.completed_at is not None:
        parts.append(Content.styled(f"✓ complete {moment_label(run.completed_at, now)}",
                                    "$text-success"))
    elif state is DueState.OVERDUE:
        parts.append(Content.styled(f"✗ OVERDUE {span(now - due_at)}", "bold $text-error"))
    elif state is DueState.MISSED:
        parts.append(Content.styled("✗ missed", "bold $text-error"))
    else:
        parts.append(Content(f"due {due_label(due_at, now)}"))
    return Content(" · ").join(parts)


def step_detail(detail: RunDetail, step: RunStep, now: datetime) -> Content:
    """The highlighted step: its guidance, the check's evidence, its note and who marked it."""
    lines: list[Content] = [Content.assemble(step_cell(step), "  ", (step.title, "bold"))]
    guidance = detail.guidance(step.step_id)
    if guidance:
        lines.append(Content(guidance))
    evidence = detail.evidence(step.step_id)
    if step.result is not None:
        mark, style = _CHECK_MARK[step.result.status]
        measured = evidence.measured_at or step.updated_at
        when = "" if measured is None else f" · measured {moment_label(measured, now)}"
        by = f" by {evidence.operator}" if evidence.operator and measured else ""
        lines.append(Content.assemble((f"{mark} Evidence: ", f"bold {style}"),
                                      step.result.value, (f"{when}{by}", "$text-muted")))
        lines += [Content(f"  {line}") for line in step.result.message.splitlines()]
    elif step.automated and step.state is StepState.PENDING:
        lines.append(Content.styled("Checked automatically: press r to run the checks.",
                                    "$text-muted"))
    if step.note:
        lines.append(Content.assemble(("Note: ", "bold"), step.note))
    elif step.needs_note:
        lines.append(Content.styled(
            f"A {step.state} step needs a note saying why: press n to write it.",
            "$text-error"))
    if step.state is not StepState.PENDING and step.updated_at is not None and \
            step.result is None:
        by = f" by {evidence.operator}" if evidence.operator else ""
        lines.append(Content.styled(f"Marked {step.state} {moment_label(step.updated_at, now)}"
                                    f"{by}", "$text-muted"))
    return Content("\n").join(lines)


def automated_count(detail: RunDetail) -> int:
    return sum(step.automated for step in detail.run.steps)


def checks_idle_text(detail: RunDetail) -> Content:
    count = automated_count(detail)
    if not count:
        return Content.styled("No automated checks in this checklist: every step is by hand.",
                              "$text-muted")
    return Content.styled(f"{plural(count, 'automated check')}: press r to run them.",
                          "$text-muted")


def checks_progress_text(progress: StepProgress) -> Content:
    if progress.result is None:
        return Content.assemble(f"Checking {progress.index + 1}/{progress.total}: ",
                                (progress.title, "bold"), "…")
    mark, style = _CHECK_MARK[progress.result.status]
    return Content.assemble(f"Checked {progress.index}/{progress.total}: ",
                            (mark, style), " ", progress.title)


def checks_done_text(outcomes: Sequence[StepOutcome], now: datetime) -> Content:
    """"Checks run 09:12: 4 passed, 1 warned, 1 failed (add a note saying what was done)"."""
    measured = [o.result for o in outcomes if o.result is not None]
    if not measured:
        return Content.styled("No check to run: the automated steps were settled by hand.",
                              "$text-muted")
    counts = {status: sum(r.status is status for r in measured) for status in CheckStatus}
    parts = []
    if counts[CheckStatus.PASS]:
        parts.append(Content.styled(f"{counts[CheckStatus.PASS]} passed", "$text-success"))
    if counts[CheckStatus.WARN]:
        parts.append(Content.styled(f"{counts[CheckStatus.WARN]} warned", "$text-warning"))
    failed = counts[CheckStatus.FAIL] + counts[CheckStatus.ERROR]
    if failed:
        parts.append(Content.styled(f"{failed} failed: say what was done (n)",
                                    "bold $text-error"))
    return Content.assemble(f"Checks run at {clock_time(now)}: ", Content(", ").join(parts))


# --- history ------------------------------------------------------------------------------


def rate_text(name: str, rate: OnTimeRate, since: date | None, now: datetime) -> Content:
    """"Daily inspection · 80% on time (4 of 5) · 1 missed · since Wed 5 Mar"."""
    parts = [Content.styled(name, "bold")]
    if since is None:
        parts.append(Content.styled("no runs yet: the history starts with the first run",
                                    "$text-muted"))
        return Content(" · ").join(parts)
    parts.append(Content.styled(str(rate), "bold"))
    if rate.late:
        parts.append(Content.styled(f"{rate.late} late", "$text-warning"))
    if rate.missed:
        parts.append(Content.styled(f"{rate.missed} missed", "$text-error"))
    parts.append(Content.styled(f"since {day_label(since, now)}", "$text-muted"))
    return Content(" · ").join(parts)


def timeliness_cell(timeliness: Timeliness) -> Content:
    label, style = _TIMELINESS_MARK[timeliness]
    return Content.styled(label, style)


def failures_text(failures: Sequence[RunStep], width: int) -> Content:
    """The first failed step's title, and how many more."""
    if not failures:
        return Content("")
    more = f" +{len(failures) - 1}" if len(failures) > 1 else ""
    title = cut(failures[0].title, width - len(more) - 2)
    return Content.styled(f"✗ {title}{more}", "$text-error")


def failures_detail(failures: Sequence[RunStep]) -> Content:
    if not failures:
        return Content.styled("No failed step in this period.", "$text-muted")
    lines = []
    for step in failures:
        lines.append(Content.assemble(("✗ ", "$text-error"), (step.title, "bold")))
        lines.append(Content.assemble("  ", step.note or Content.styled("(no note)",
                                                                         "$text-muted")))
    return Content("\n").join(lines)


