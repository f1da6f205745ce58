"""How the checklist screens word runs, steps and history: plain functions returning Content.

Every state has a mark as well as a colour (✗ ! ✓ ○ –), so it reads the same
without colour (NO_COLOR). Text from templates and notes goes in as plain text,
never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
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
from pmcockpit.core.checklist.recurrence import OPEN_END
from pmcockpit.core.checklist.runs import done_words
from pmcockpit.core.clock import to_local
from pmcockpit.core.i18n import N_, _, format_day, ngettext
from pmcockpit.core.wording import check_status_word, on_time_rate, span, step_state_word
from pmcockpit.widgets.sentence import sentence

if TYPE_CHECKING:  # annotations only: the home screen paints before the services load
    from pmcockpit.services.checklist import DueItem, RunDetail, StepOutcome, StepProgress

Clock = Callable[[], datetime]

# The labels are marked with N_ and translated where shown: these tables are built at
# import, before a language may have been chosen.
_STEP_MARK: dict[StepState, tuple[str, str]] = {
    StepState.PENDING: (N_("○ to do"), "bold"),  # what most needs seeing: never muted
    StepState.DONE: (N_("✓ done"), "$text-success"),
    StepState.PASSED: (N_("✓ passed"), "$text-success"),
    StepState.WARNED: (N_("! warned"), "$text-warning"),
    StepState.FAILED: (N_("✗ failed"), "$text-error"),
    StepState.SKIPPED: (N_("– skipped"), "$foreground-muted"),
}

_CHECK_MARK: dict[CheckStatus, tuple[str, str]] = {
    CheckStatus.PASS: ("✓", "$text-success"),
    CheckStatus.WARN: ("!", "$text-warning"),
    CheckStatus.FAIL: ("✗", "$text-error"),
    CheckStatus.ERROR: ("✗", "$text-error"),
}

_TIMELINESS_MARK: dict[Timeliness, tuple[str, str]] = {
    Timeliness.ON_TIME: (N_("✓ on time"), "$text-success"),
    Timeliness.LATE: (N_("! late"), "$text-warning"),
    Timeliness.MISSED: (N_("✗ missed"), "$text-error"),
    Timeliness.OPEN: (N_("○ open"), "$foreground-muted"),
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
        return _("today")
    if delta == -1:
        return _("yesterday")
    if delta == 1:
        return _("tomorrow")
    return format_day(day, with_year=day.year != now.year)


def moment_label(moment: datetime, now: datetime) -> str:
    # Translators: a day ("today", "Wed 25 Nov") and a clock time ("10:00").
    return _("{day} {time}").format(day=day_label(moment, now), time=clock_time(moment))


def due_label(due_at: datetime, now: datetime) -> str:
    """When a run is due: "today 10:00", or just the day when the whole day is allowed."""
    if due_at.date() >= OPEN_END:
        return _("on demand")
    return day_label(due_at, now) if due_at.time() == time.max else moment_label(due_at, now)


def period_label(period: Period, kind: RecurrenceKind, now: datetime) -> str:
    """A daily or one-off period by its day, the longer ones by their span this year, or
    by their key ("2025-W52", "2025-Q4") before: at most 15 characters."""
    if kind is RecurrenceKind.DAILY or period.open_ended:
        return day_label(period.start, now)
    if period.start.year == now.year and period.end.year == now.year:
        # Translators: the first and the last day of a period ("1 Dec – 7 Dec").
        return _("{start} – {end}").format(start=f"{period.start:%-d %b}",
                                           end=f"{period.end:%-d %b}")
    return period.key


# --- the list of checklists -----------------------------------------------------------


def due_cell(item: DueItem, now: datetime) -> Content:
    """"✗ OVERDUE 2h", "○ due", "✓ done": overdue loud, with how late."""
    if item.state is DueState.OVERDUE:
        return Content.styled(_overdue(now - item.due_at), "bold $text-error")
    if item.state is DueState.DONE:
        if item.failures:
            return Content.styled(f"⚠ {done_words(item.failures)}", "bold $text-warning")
        return Content.styled(_("✓ done"), "$text-success")
    if item.state is DueState.MISSED:
        return Content.styled(_("✗ missed"), "$text-error")
    if item.state is DueState.UPCOMING:
        return Content.styled(_("· upcoming"), "$foreground-muted")
    if item.needs_attention:
        return Content.styled(_("○ due today"), "$text-warning")
    return Content.styled(_("○ due"), "$foreground-muted")


def _overdue(late: timedelta) -> str:
    # Translators: {late} is how late, e.g. "2h" or "3d".
    return _("✗ OVERDUE {late}").format(late=span(late))


def overview_lead(items: Sequence[DueItem]) -> Content:
    overdue = sum(item.overdue for item in items)
    today = sum(item.needs_attention and not item.overdue for item in items)
    done = sum(item.state is DueState.DONE for item in items)
    parts: list[Content] = []
    if overdue:
        parts.append(Content.styled(ngettext("{count} overdue", "{count} overdue", overdue)
                                    .format(count=overdue), "bold $text-error"))
    if today:
        parts.append(Content.styled(ngettext("{count} due today", "{count} due today", today)
                                    .format(count=today), "$text-warning"))
    if done:
        parts.append(Content.styled(ngettext("{count} done", "{count} done", done)
                                    .format(count=done), "$text-success"))
    parts.append(Content(ngettext("{count} checklist", "{count} checklists", len(items))
                         .format(count=len(items))))
    return Content(" · ").join(parts)


def about_template(item: DueItem, now: datetime) -> Content:
    """The highlighted checklist: what it is, how often, and this period's run."""
    template = item.template
    opened = _("not started: Enter starts it") if item.run_id is None else \
        _("{progress} steps done: Enter opens it").format(progress=item.progress)
    about = _("{recurrence}, due {due}; {opened}").format(
        recurrence=template.recurrence.describe(item.for_what), due=due_label(item.due_at, now),
        opened=opened)
    head = Content.assemble((template.name, "bold"), (f"  {about}", "$text-muted"))
    if not template.description:
        return head
    return Content.assemble(head, "\n", template.description)


def problems_title(problems: Sequence[TemplateProblem]) -> str:
    return ngettext("{count} template problem: left out until fixed",
                    "{count} template problems: left out until fixed",
                    len(problems)).format(count=len(problems))


def problems_text(problems: Sequence[TemplateProblem]) -> Content:
    """Each broken template's mistakes as file:line: what to fix."""
    return Content("\n").join(
        Content.assemble(("✗ ", "$text-error"), (f"{problem.source}:{problem.line}", "bold"),
                         ": ", problem.message)
        for problem in problems)


# --- a run --------------------------------------------------------------------------------


def step_cell(step: RunStep) -> Content:
    label, style = _STEP_MARK[step.state]
    return Content.styled(_(label), style)


def step_kind(step: RunStep) -> Content:
    return Content(_("auto") if step.automated else _("hand"))


def check_cell(result: CheckResult | None) -> Content:
    """A step's state cell while the checks run: checking, then the check's verdict."""
    if result is None:
        return Content.styled(_("… running"), "bold $text-accent")
    mark, style = _CHECK_MARK[result.status]
    return Content.styled(f"{mark} {check_status_word(result.status)}", style)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal cells (a Chinese character takes two)."""
    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"


def step_summary(step: RunStep, width: int) -> Content:
    """The table's last column: a note still wanted, the check's figure, or the note."""
    if step.needs_note:
        return Content.styled(cut(_("note needed (n)"), width), "bold $text-error")
    if step.result is not None and step.state in (StepState.PASSED, StepState.WARNED,
                                                   StepState.FAILED):
        return Content(cut(step.result.value, width))
    return Content.styled(cut(step.note, width), "$foreground-muted")


def run_lead(detail: RunDetail, now: datetime) -> Content:
    """"Daily inspection · today · 3/8 done · due 10:00", or overdue, or complete."""
    run = detail.run
    due_at = run.period.due_at(run.due_time)
    parts = [
        Content.styled(detail.name, "bold"),
        Content(period_label(run.period, detail.stored.recurrence, now)),
        Content(_("{progress} done").format(progress=run.progress)),
    ]
    state = detail.due_state(now)
    if run.complete and run.completed_at is not None and run.failures:
        parts.append(Content.styled(_("⚠ {done} {moment}").format(
            done=done_words(run.failures), moment=moment_label(run.completed_at, now)),
            "bold $text-warning"))
    elif run.complete and run.completed_at is not None:
        parts.append(Content.styled(_("✓ complete {moment}").format(
            moment=moment_label(run.completed_at, now)), "$text-success"))
    elif state is DueState.OVERDUE:
        parts.append(Content.styled(_overdue(now - due_at), "bold $text-error"))
    elif state is DueState.MISSED:
        parts.append(Content.styled(_("✗ missed"), "bold $text-error"))
    else:
        parts.append(Content(_("due {due}").format(due=due_label(due_at, now))))
    return Content(" · ").join(parts)


def step_detail(detail: RunDetail, step: RunStep, now: datetime) -> Content:
    """The highlighted step: its guidance, the check's evidence, its note and who marked it."""
    lines: list[Content] = [Content.assemble(step_cell(step), "  ", (step.title, "bold"))]
    guidance = detail.guidance(step.step_id)
    if guidance:
        lines.append(Content(guidance))
    evidence = detail.evidence(step.step_id)
    if step.result is not None:
        lines += _evidence_lines(step.result, evidence.measured_at or step.updated_at,
                                 evidence.operator, now)
    elif step.automated and step.state is StepState.PENDING:
        lines.append(Content.styled(_("Checked automatically: press r to run the checks."),
                                    "$text-muted"))
    if step.note:
        lines.append(Content.assemble((_("Note:") + " ", "bold"), step.note))
    elif step.needs_note:
        lines.append(Content.styled(
            _("A {state} step needs a note saying why: press n to write it.").format(
                state=step_state_word(step.state)), "$text-error"))
    if step.state is not StepState.PENDING and step.updated_at is not None and \
            step.result is None:
        lines.append(Content.styled(_marked(step.state, step.updated_at, evidence.operator, now),
                                    "$text-muted"))
    return Content("\n").join(lines)


def _evidence_lines(result: CheckResult, measured: datetime | None, operator: str | None,
                    now: datetime) -> list[Content]:
    """The check's figure, when and by whom it was measured, then its explanation."""
    mark, style = _CHECK_MARK[result.status]
    when = ""
    if measured is not None:
        moment = moment_label(measured, now)
        when = " · " + (_("measured {moment} by {operator}").format(moment=moment,
                                                                    operator=operator)
                        if operator else _("measured {moment}").format(moment=moment))
    head = Content.assemble((_("{mark} Evidence:").format(mark=mark) + " ", f"bold {style}"),
                            result.value, (when, "$text-muted"))
    return [head, *(Content(f"  {line}") for line in result.message.splitlines())]


def _marked(step_state: StepState, updated_at: datetime, operator: str | None,
            now: datetime) -> str:
    state, moment = step_state_word(step_state), moment_label(updated_at, now)
    if operator:
        return _("Marked {state} {moment} by {operator}").format(state=state, moment=moment,
                                                               operator=operator)
    return _("Marked {state} {moment}").format(state=state, moment=moment)


def automated_count(detail: RunDetail) -> int:
    return sum(step.automated for step in detail.run.steps)


def checks_idle_text(detail: RunDetail) -> Content:
    count = automated_count(detail)
    if not count:
        return Content.styled(
            _("No automated checks in this checklist: every step is by hand."), "$text-muted")
    if any(step.result is not None for step in detail.run.steps):  # reopened: evidence kept
        return Content.styled(ngettext("{count} automated check, its evidence below: r runs "
                                       "it again.", "{count} automated checks, their evidence "
                                       "below: r runs them again.", count).format(count=count),
                              "$text-muted")
    return Content.styled(ngettext("{count} automated check: press r to run it.",
                                   "{count} automated checks: press r to run them.",
                                   count).format(count=count), "$text-muted")


def checks_progress_text(progress: StepProgress) -> Content:
    if progress.result is None:
        return sentence(_("Checking {index}/{total}: {title}…"), index=progress.index + 1,
                        total=progress.total, title=(progress.title, "bold"))
    mark, style = _CHECK_MARK[progress.result.status]
    return sentence(_("Checked {index}/{total}: {mark} {title}"), index=progress.index,
                    total=progress.total, mark=(mark, style), title=progress.title)


def checks_done_text(outcomes: Sequence[StepOutcome], now: datetime) -> Content:
    """"Checks run 09:12: 4 passed, 1 warned, 1 failed (add a note saying what was done)"."""
    measured = [o.result for o in outcomes if o.result is not None]
    if not measured:
        return Content.styled(
            _("No check to run: the automated steps were settled by hand."), "$text-muted")
    counts = {status: sum(r.status is status for r in measured) for status in CheckStatus}
    passed, warned = counts[CheckStatus.PASS], counts[CheckStatus.WARN]
    failed = counts[CheckStatus.FAIL] + counts[CheckStatus.ERROR]
    parts = []
    if passed:
        parts.append(Content.styled(ngettext("{count} passed", "{count} passed", passed)
                                    .format(count=passed), "$text-success"))
    if warned:
        parts.append(Content.styled(ngettext("{count} warned", "{count} warned", warned)
                                    .format(count=warned), "$text-warning"))
    if failed:
        parts.append(Content.styled(
            ngettext("{count} failed: say what was done (n)",
                     "{count} failed: say what was done (n)", failed).format(count=failed),
            "bold $text-error"))
    return sentence(_("Checks run at {time}: {results}"), time=clock_time(now),
                    results=Content(", ").join(parts))


# --- history ------------------------------------------------------------------------------


def rate_text(name: str, rate: OnTimeRate, since: date | None, now: datetime) -> Content:
    """"Daily inspection · 80% on time (4 of 5) · 1 missed · since Wed 5 Mar"."""
    parts = [Content.styled(name, "bold")]
    if since is None:
        parts.append(Content.styled(_("no runs yet: the history starts with the first run"),
                                    "$text-muted"))
        return Content(" · ").join(parts)
    parts.append(Content.styled(on_time_rate(rate), "bold"))
    if rate.late:
        parts.append(Content.styled(ngettext("{count} late", "{count} late", rate.late)
                                    .format(count=rate.late), "$text-warning"))
    if rate.missed:
        parts.append(Content.styled(ngettext("{count} missed", "{count} missed", rate.missed)
                                    .format(count=rate.missed), "$text-error"))
    parts.append(Content.styled(_("since {day}").format(day=day_label(since, now)),
                                "$text-muted"))
    return Content(" · ").join(parts)


def timeliness_cell(timeliness: Timeliness) -> Content:
    label, style = _TIMELINESS_MARK[timeliness]
    return Content.styled(_(label), style)


def failures_text(failures: Sequence[RunStep], width: int) -> Content:
    """The first failed step's title, and how many more."""
    if not failures:
        return Content("")
    more = f" +{len(failures) - 1}" if len(failures) > 1 else ""
    title = cut(failures[0].title, width - cell_len(more) - 2)
    return Content.styled(f"✗ {title}{more}", "$text-error")


def failures_detail(failures: Sequence[RunStep]) -> Content:
    if not failures:
        return Content.styled(_("No failed step in this period."), "$text-muted")
    lines = []
    for step in failures:
        lines.append(Content.assemble(("✗ ", "$text-error"), (step.title, "bold")))
        lines.append(Content.assemble("  ", step.note or Content.styled(_("(no note)"),
                                                                         "$text-muted")))
    return Content("\n").join(lines)


