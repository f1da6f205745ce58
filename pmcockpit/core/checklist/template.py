"""Checklist templates: a maintenance SOP written as a TOML document.

::

    name = "Weekly clean-up"
    recurrence = { kind = "weekly", weekday = "monday" }
    due_within_days = 2   # optional: due by Wednesday (the default for weekly)
    due_time = "10:00"

    [[steps]]
    title = "Clear out temporary tasks"
    guidance = "Close test issues and throw-away tasks."

    [[steps]]
    title = "Tickets untouched for 30 days"
    check = "stale-tickets"
    [steps.params]
    days = 30

The caller reads the file and hands the text in. Every problem is collected,
with the line it is on, before :class:`TemplateError` is raised, so a template
author fixes them in one pass. A file too large or nested too deeply is refused
before it is parsed (:mod:`.template_limits`): a checklist needs neither, and a deep
enough one would exhaust the parser's recursion.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time

from pmcockpit.core.checklist.checks import (
    CHECKS,
    ParamValue,
    closest,
    describe_value,
    param_problems,
)
from pmcockpit.core.checklist.key_lines import KeyLines, Path
from pmcockpit.core.checklist.recurrence import WEEKDAYS, Recurrence, RecurrenceKind
from pmcockpit.core.checklist.template_limits import limit_problem

TOP_LEVEL_KEYS = ("name", "description", "recurrence", "due_within_days", "due_time", "steps")
RECURRENCE_KEYS = ("kind", "weekday", "day")
STEP_KEYS = ("id", "title", "guidance", "check", "params")
STEP_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class TemplateError(ValueError):
    """A template that cannot be used; ``problems`` lists everything found wrong."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        source = problems[0].source if problems else "template"
        details = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{count} in {source}:\n{details}")


@dataclass(frozen=True, slots=True)
class TemplateStep:
    """One step: manual when ``check`` is None, automated otherwise.

    An automated step may carry ``guidance`` too: what to do when the check fails.
    ``params`` hold the check's parameters with the catalogue's defaults filled in.
    """

    id: str
    title: str
    guidance: str = ""
    check: str | None = None
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    @property
    def automated(self) -> bool:
        return self.check is not None


@dataclass(frozen=True, slots=True)
class ChecklistTemplate:
    key: str
    """Stable identity: the file's stem, or the slug of the name."""
    name: str
    recurrence: Recurrence
    steps: tuple[TemplateStep, ...]
    description: str = ""
    due_time: time | None = None
    source: str = ""

    def step(self, step_id: str) -> TemplateStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"{self.key} has no step {step_id!r}")


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; empty when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def parse_template(text: str, source: str, key: str | None = None) -> ChecklistTemplate:
    """Parse a template's TOML ``text``; ``source`` names the file in problems.

    ``key`` is usually the file's stem; without one the name's slug is used.
    Raises :class:`TemplateError` listing every problem found.
    """
    beyond = limit_problem(text)
    if beyond is not None:
        line, message = beyond
        raise TemplateError([TemplateProblem(source, line, message)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError([_syntax_problem(exc, text, source)]) from exc
    return _Parser(text, source).parse(data, key)


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str, source: str) -> TemplateProblem:
    message = str(exc)
    position = _TOML_POSITION.search(message)
    if position:
        line, column = int(position.group(1)), int(position.group(2))
        reason = message[: position.start()]
        return TemplateProblem(source, line, f"invalid TOML at column {column}: {reason}")
    # "(at end of document)": the mistake is on the last line written.
    reason = message.replace("(at end of document)", "").strip()
    last_line = max(1, len(text.rstrip("\n").splitlines()))
    return TemplateProblem(source, last_line, f"invalid TOML at the end of the file: {reason}")


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = KeyLines(text)
        self.problems: list[TemplateProblem] = []

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(TemplateProblem(self.source, self.lines.nearest(*path), message))

    def parse(self, data: Mapping[str, object], key: str | None) -> ChecklistTemplate:
        self.unknown_keys((), data, TOP_LEVEL_KEYS, "at the top level")
        name = self.text(("name",), data.get("name"), "name", required=True,
                         example='name = "Daily inspection"')
        description = self.text(("description",), data.get("description"), "description")
        recurrence = self.recurrence(data.get("recurrence"))
        due_within = self.due_within_days(data.get("due_within_days"))
        if recurrence is not None and due_within is not None:
            recurrence = replace(recurrence, due_within_days=due_within)
        due_time = self.due_time(data.get("due_time"))
        steps = self.steps(data.get("steps"))
        if self.problems:
            self.problems.sort(key=lambda problem: problem.line)
            raise TemplateError(self.problems)
        assert recurrence is not None  # a missing one was reported as a problem
        return ChecklistTemplate(
            key=key or slugify(name) or "checklist", name=name, recurrence=recurrence,
            steps=steps, description=description, due_time=due_time, source=self.source,
        )

    def unknown_keys(self, path: Path, table: Mapping[str, object], known: tuple[str, ...],
                     where: str) -> None:
        for name in table:
            if name not in known:
                hint = closest(name, known)
                fix = f"did you mean {hint!r}?" if hint else f"use one of {', '.join(known)}"
                self.problem((*path, name), f"unknown key {name!r} {where}; {fix}")

    def text(self, path: Path, value: object, label: str, required: bool = False,
             example: str = "", owner: str = "") -> str:
        """A string value; ``owner`` ("step 2: ") prefixes the messages."""
        if value is None:
            if required:
                self.problem(path, f"{owner}missing {label}: add {example}")
            return ""
        if not isinstance(value, str):
            self.problem(path, f"{owner}{label} must be a string in quotes, "
                               f"not {describe_value(value)}")
            return ""
        if required and not value.strip():
            self.problem(path, f"{owner}{label} is empty: write {example}")
        return value.strip()

    def recurrence(self, value: object) -> Recurrence | None:
        path: Path = ("recurrence",)
        if value is None:
            self.problem(path, 'missing recurrence: add recurrence = "daily" '
                               "(or weekly, monthly, quarterly)")
            return None
        if isinstance(value, str):
            value = {"kind": value}
        if not isinstance(value, dict):
            example = '{ kind = "weekly", weekday = "monday" }'
            self.problem(path, 'recurrence must be a string such as "daily" or a table such '
                               f"as {example}, not {describe_value(value)}")
            return None
        self.unknown_keys(path, value, RECURRENCE_KEYS, "in recurrence")
        kind = self.recurrencedescribe_value(value.get("kind"))
        weekday = self.weekday(value.get("weekday"), kind)
        day = self.day(value.get("day"), kind)
        if kind is None or weekday is None or day is None:
            return None
        return Recurrence(kind, weekday=weekday, day=day)

    def recurrencedescribe_value(self, value: object) -> RecurrenceKind | None:
        path: Path = ("recurrence", "kind")
        kinds = [kind.value for kind in RecurrenceKind]
        if value is None:
            self.problem(path, f"recurrence needs a kind: one of {', '.join(kinds)}")
            return None
        if not isinstance(value, str) or value.strip().lower() not in kinds:
            hint = closest(str(value).lower(), kinds) if isinstance(value, str) else None
            fix = f"did you mean {hint!r}? " if hint else ""
            self.problem(path, f"unknown recurrence {_shown(value)}; {fix}"
                               f"use one of {', '.join(kinds)}")
            return None
        return RecurrenceKind(value.strip().lower())

    def weekday(self, value: object, kind: RecurrenceKind | None) -> int | None:
        path: Path = ("recurrence", "weekday")
        if value is None:
            return 0  # a weekly checklist with no weekday runs on Mondays
        if kind is not None and kind is not RecurrenceKind.WEEKLY:
            self.problem(path, f"weekday only applies to weekly checklists, not {kind.value}; "
                               "remove it")
            return 0
        name = value.strip().lower() if isinstance(value, str) else ""
        matches = [index for index, day in enumerate(WEEKDAYS)
                   if name == day or (len(name) >= 3 and day.startswith(name))]
        if len(matches) == 1:
            return matches[0]
        hint = closest(name, WEEKDAYS) if name else None
        fix = f"did you mean {hint!r}? " if hint else ""
        self.problem(path, f"unknown weekday {_shown(value)}; {fix}use one of "
                           f"{', '.join(WEEKDAYS)}")
        return None

    def day(self, value: object, kind: RecurrenceKind | None) -> int | None:
        path: Path = ("recurrence", "day")
        if value is None:
            return 1
        if kind in (RecurrenceKind.DAILY, RecurrenceKind.WEEKLY):
            self.problem(path, f"day only applies to monthly and quarterly checklists, "
                               f"not {kind}; remove it")
            return 1
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"recurrence day must be a whole number from 1 to 31, "
                               f"not {describe_value(value)}")
            return None
        if not 1 <= value <= 31:
            self.problem(path, f"recurrence day must be from 1 to 31 (31 means the last day "
                               f"of the month), not {value}")
            return None
        return value

    def due_within_days(self, value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(("due_within_days",), "due_within_days must be a whole number of days "
                                               "from 0 (due on the period's first day), such "
                                               f"as 2, not {_shown(value)}")
            return None
        return value

    def due_time(self, value: object) -> time | None:
        if value is None:
            return None
        if isinstance(value, time):  # a TOML local time: due_time = 10:00:00
            return value.replace(tzinfo=None)
        match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            return time(int(match.group(1)), int(match.group(2)))
        self.problem(("due_time",), f"due_time must be a 24-hour time in quotes such as "
                                    f'"10:00", not {_shown(value)}')
        return None

    def steps(self, value: object) -> tuple[TemplateStep, ...]:
        path: Path = ("steps",)
        if value is None:
            self.problem(path, "missing steps: add at least one [[steps]] table with a title")
            return ()
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(path, f"steps must be [[steps]] tables, not {describe_value(value)}")
            return ()
        if not value:
            self.problem(path, "steps is empty: add at least one [[steps]] table with a title")
            return ()
        explicit_ids = {item["id"] for item in value if isinstance(item.get("id"), str)}
        used_ids: set[str] = set()
        steps: list[TemplateStep] = []
        for index, item in enumerate(value):
            step = self.step(index, item, explicit_ids, used_ids)
            if step is not None:
                steps.append(step)
        return tuple(steps)

    def step(self, index: int, item: Mapping[str, object], explicit_ids: set[str],
             used_ids: set[str]) -> TemplateStep | None:
        path: Path = ("steps", index)
        title = item.get("title")
        label = f'step {index + 1} ("{title}")' if isinstance(title, str) and title.strip() \
            else f"step {index + 1}"
        before = len(self.problems)
        self.unknown_keys(path, item, STEP_KEYS, f"in {label}")
        title = self.text((*path, "title"), title, "title", required=True,
                          example='title = "What to do"', owner=f"{label}: ")
        guidance = self.text((*path, "guidance"), item.get("guidance"), "guidance",
                             owner=f"{label}: ")
        step_id = self.step_id(path, item.get("id"), title, index, label, explicit_ids, used_ids)
        check, params = self.check(path, item, label)
        if not guidance and check is None and "check" not in item:
            self.problem(path, f"{label} needs guidance (a manual step) or a check "
                               "(an automated one)")
        if len(self.problems) > before:
            return None
        return TemplateStep(step_id, title, guidance, check, params)

    def step_id(self, path: Path, value: object, title: str, index: int, label: str,
                explicit_ids: set[str], used_ids: set[str]) -> str:
        if value is None:
            # Derived ids must not take an id another step names explicitly.
            base = slugify(title) or f"step-{index + 1}"
            step_id, suffix = base, 2
            while step_id in used_ids or step_id in explicit_ids:
                step_id, suffix = f"{base}-{suffix}", suffix + 1
            used_ids.add(step_id)
            return step_id
        if not isinstance(value, str) or not STEP_ID.match(value):
            self.problem((*path, "id"), f"{label}: id must be a slug of lower-case letters, "
                                        f"digits and hyphens such as \"check-backups\", "
                                        f"not {_shown(value)}")
            return ""
        if value in used_ids:
            self.problem((*path, "id"), f"{label}: id {value!r} is already used by an "
                                        "earlier step; ids must be unique")
        used_ids.add(value)
        return value

    def check(self, path: Path, item: Mapping[str, object],
              label: str) -> tuple[str | None, dict[str, ParamValue]]:
        check, params = item.get("check"), item.get("params")
        if params is not None and not isinstance(params, dict):
            self.problem((*path, "params"), f"{label}: params must be a table "
                                            f"([steps.params]), not {describe_value(params)}")
            params = None
        if check is None:
            if params is not None:
                self.problem((*path, "params"), f"{label}: params only apply to a check; "
                                                "add check = \"...\" or remove them")
            return None, {}
        known = sorted(CHECKS)
        if not isinstance(check, str) or check not in CHECKS:
            hint = closest(check, known) if isinstance(check, str) else None
            fix = f"did you mean {hint!r}? " if hint else ""
            self.problem((*path, "check"), f"{label}: unknown check {_shown(check)}; {fix}"
                                           f"known checks: {', '.join(known)}")
            return None, {}
        given: dict[str, object] = dict(params or {})
        for problem in param_problems(check, given):
            where: Path = (*path, "params", problem.param) if problem.param else (*path, "params")
            if self.lines.find(*where) is None and not problem.param:
                where = (*path, "check")
            self.problem(where, f"{label}: {problem.message}")
        valid = {name: value for name, value in given.items()
                 if isinstance(value, str | int | float | bool)}
        return check, CHECKS[check].resolve(valid)


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else describe_value(value)
