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
from pmcockpit.core.checklist.key_lines import Path
from pmcockpit.core.checklist.recurrence import Recurrence
from pmcockpit.core.checklist.template_limits import limit_problem
from pmcockpit.core.checklist.template_schedule import (
    ScheduleParser,
    TemplateProblem,
    for_step,
    shown,
)
from pmcockpit.core.i18n import _, ngettext

__all__ = ["ChecklistTemplate", "TemplateError", "TemplateProblem", "TemplateStep",
           "parse_template", "slugify"]

TOP_LEVEL_KEYS = ("name", "description", "recurrence", "due_within_days", "due_time", "steps")
STEP_KEYS = ("id", "title", "guidance", "check", "params")
STEP_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


class TemplateError(ValueError):
    """A template that cannot be used; ``problems`` lists everything found wrong."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        source = problems[0].source if problems else _("template")
        details = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(ngettext("{count} problem in {source}:\n{details}",
                                  "{count} problems in {source}:\n{details}", len(problems))
                         .format(count=len(problems), source=source, details=details))


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
        return TemplateProblem(source, line, _("invalid TOML at column {column}: {reason}")
                               .format(column=column, reason=reason))
    # "(at end of document)": the mistake is on the last line written.
    reason = message.replace("(at end of document)", "").strip()
    last_line = max(1, len(text.rstrip("\n").splitlines()))
    return TemplateProblem(source, last_line, _("invalid TOML at the end of the file: {reason}")
                           .format(reason=reason))


class _Parser(ScheduleParser):
    """The whole template; the schedule's keys are checked by :class:`ScheduleParser`."""

    def parse(self, data: Mapping[str, object], key: str | None) -> ChecklistTemplate:
        self.unknown_keys((), data, TOP_LEVEL_KEYS, (
            _("unknown key {name} at the top level; did you mean {hint}?"),
            _("unknown key {name} at the top level; use one of {known}")))
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

    def steps(self, value: object) -> tuple[TemplateStep, ...]:
        path: Path = ("steps",)
        if value is None:
            self.problem(path, _("missing steps: add at least one [[steps]] table with a title"))
            return ()
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(path, _("steps must be [[steps]] tables, not {value}").format(
                value=describe_value(value)))
            return ()
        if not value:
            self.problem(path, _("steps is empty: add at least one [[steps]] table with a title"))
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
        label = (_('step {number} ("{title}")').format(number=index + 1, title=title)
                 if isinstance(title, str) and title.strip()
                 else _("step {number}").format(number=index + 1))
        before = len(self.problems)
        self.unknown_keys(path, item, STEP_KEYS, (
            _("unknown key {name} in {step}; did you mean {hint}?"),
            _("unknown key {name} in {step}; use one of {known}")), step=label)
        title = self.text((*path, "title"), title, "title", required=True,
                          example='title = "What to do"', step=label)
        guidance = self.text((*path, "guidance"), item.get("guidance"), "guidance", step=label)
        step_id = self.step_id(path, item.get("id"), title, index, label, explicit_ids, used_ids)
        check, params = self.check(path, item, label)
        if not guidance and check is None and "check" not in item:
            self.problem(path, _("{step} needs guidance (a manual step) or a check "
                                 "(an automated one)").format(step=label))
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
            self.problem((*path, "id"), for_step(label, _(
                'id must be a slug of lower-case letters, digits and hyphens such as '
                '"check-backups", not {value}').format(value=shown(value))))
            return ""
        if value in used_ids:
            self.problem((*path, "id"), for_step(label, _(
                "id {id} is already used by an earlier step; ids must be unique").format(
                id=repr(value))))
        used_ids.add(value)
        return value

    def check(self, path: Path, item: Mapping[str, object],
              label: str) -> tuple[str | None, dict[str, ParamValue]]:
        check, params = item.get("check"), item.get("params")
        if params is not None and not isinstance(params, dict):
            self.problem((*path, "params"), for_step(label, _(
                "params must be a table ([steps.params]), not {value}").format(
                value=describe_value(params))))
            params = None
        if check is None:
            if params is not None:
                self.problem((*path, "params"), for_step(label, _(
                    'params only apply to a check; add check = "..." or remove them')))
            return None, {}
        known = sorted(CHECKS)
        if not isinstance(check, str) or check not in CHECKS:
            hint = closest(check, known) if isinstance(check, str) else None
            message = (_("unknown check {check}; did you mean {hint}? known checks: {known}")
                       if hint else _("unknown check {check}; known checks: {known}"))
            self.problem((*path, "check"), for_step(label, message.format(
                check=shown(check), hint=repr(hint), known=", ".join(known))))
            return None, {}
        given: dict[str, object] = dict(params or {})
        for problem in param_problems(check, given):
            where: Path = (*path, "params", problem.param) if problem.param else (*path, "params")
            if self.lines.find(*where) is None and not problem.param:
                where = (*path, "check")
            self.problem(where, for_step(label, problem.message))
        valid = {name: value for name, value in given.items()
                 if isinstance(value, str | int | float | bool)}
        return check, CHECKS[check].resolve(valid)
