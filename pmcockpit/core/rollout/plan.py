"""Phase plans: a rollout's phases and their exit gates, written as a TOML document.

::

    name = "Version upgrade"
    kind = "upgrade"

    [[phases]]
    id = "roll-out"
    title = "Roll out"
    weeks = 1
    needs_rollback_plan = true   # the phase cannot start without a rollback plan

    [[phases.gates]]
    title = "Upgrade done in the maintenance window"
    guidance = "Note the time the tool came back."

    [[phases.gates]]
    title = "The tool reports the target version"
    check = "version-reached"

Like the checklist templates, every problem is collected with its line before
:class:`~pmcockpit.core.checklist.TemplateError` is raised. An upgrade plan must
have a phase that needs the rollback plan, so the rule cannot be dropped silently.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from pmcockpit.core.checklist import TemplateError, TemplateProblem
from pmcockpit.core.checklist.checks import closest, describe_value
from pmcockpit.core.checklist.key_lines import KeyLines, Path
from pmcockpit.core.checklist.template import STEP_ID, slugify
from pmcockpit.core.checklist.template_limits import limit_problem
from pmcockpit.core.rollout.gates import CHECKS, GateSpec, ParamValue
from pmcockpit.core.rollout.model import RolloutKind

TOP_KEYS = ("name", "kind", "description", "phases")
PHASE_KEYS = ("id", "title", "weeks", "guidance", "needs_rollback_plan", "gates")
GATE_KEYS = ("id", "title", "guidance", "check", "params", "checklist")


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    id: str
    title: str
    weeks: int
    guidance: str
    needs_rollback_plan: bool
    gates: tuple[GateSpec, ...]


@dataclass(frozen=True, slots=True)
class PhasePlan:
    key: str
    name: str
    kind: RolloutKind
    phases: tuple[PhaseSpec, ...]
    description: str = ""
    source: str = ""

    def phase(self, phase_id: str) -> PhaseSpec:
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(f"{self.key} has no phase {phase_id!r}")


def parse_plan(text: str, source: str, key: str) -> PhasePlan:
    """Parse a phase plan; raises TemplateError listing every problem with its line."""
    beyond = limit_problem(text)
    if beyond is not None:
        raise TemplateError([TemplateProblem(source, beyond[0], beyond[1])])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError([TemplateProblem(source, getattr(exc, "lineno", 1) or 1,
                                             f"invalid TOML: {exc}")]) from exc
    return _Parser(text, source).parse(data, key)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = KeyLines(text)
        self.problems: list[TemplateProblem] = []

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(TemplateProblem(self.source, self.lines.nearest(*path), message))

    def parse(self, data: Mapping[str, object], key: str) -> PhasePlan:
        self.unknown((), data, TOP_KEYS, "at the top level")
        name = self.text(("name",), data.get("name"), "name", required=True)
        description = self.text(("description",), data.get("description"), "description")
        kind = self.kind(data.get("kind"))
        phases = self.phases(data.get("phases"))
        if kind is RolloutKind.UPGRADE and phases and \
                not any(p.needs_rollback_plan for p in phases):
            self.problem(("phases",), "an upgrade plan needs one phase with "
                                      "needs_rollback_plan = true (the roll-out)")
        if self.problems:
            self.problems.sort(key=lambda problem: problem.line)
            raise TemplateError(self.problems)
        assert kind is not None
        return PhasePlan(key, name, kind, phases, description, self.source)

    def unknown(self, path: Path, table: Mapping[str, object], known: tuple[str, ...],
                where: str) -> None:
        for name in table:
            if name not in known:
                hint = closest(name, known)
                fix = f"did you mean {hint!r}?" if hint else f"use one of {', '.join(known)}"
                self.problem((*path, name), f"unknown key {name!r} {where}; {fix}")

    def text(self, path: Path, value: object, label: str, *, required: bool = False,
             owner: str = "") -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(path, f'{owner}missing {label}: add {label} = "..."')
            return ""
        if not isinstance(value, str):
            self.problem(path, f"{owner}{label} must be a string in quotes, "
                               f"not {describe_value(value)}")
            return ""
        return value.strip()

    def kind(self, value: object) -> RolloutKind | None:
        kinds = [kind.value for kind in RolloutKind]
        if isinstance(value, str) and value in kinds:
            return RolloutKind(value)
        hint = closest(value, kinds) if isinstance(value, str) else None
        fix = f"did you mean {hint!r}? " if hint else ""
        self.problem(("kind",), f"kind must be one of {', '.join(kinds)}; {fix}"
                                f"not {describe_value(value)}")
        return None

    def tables(self, path: Path, value: object, what: str) -> list[Mapping[str, object]]:
        if not isinstance(value, list) or not value or \
                not all(isinstance(item, dict) for item in value):
            self.problem(path, f"{what} must be one or more [[{'.'.join(map(str, path[::2]))}]] "
                               f"tables, not {describe_value(value)}")
            return []
        return value

    def phases(self, value: object) -> tuple[PhaseSpec, ...]:
        phases, seen = [], set[str]()
        for index, item in enumerate(self.tables(("phases",), value, "phases")):
            phase = self.phase(("phases", index), item, index, seen)
            if phase is not None:
                phases.append(phase)
        return tuple(phases)

    def phase(self, path: Path, item: Mapping[str, object], index: int,
              seen: set[str]) -> PhaseSpec | None:
        before = len(self.problems)
        owner = f"phase {index + 1}: "
        self.unknown(path, item, PHASE_KEYS, f"in phase {index + 1}")
        title = self.text((*path, "title"), item.get("title"), "title", required=True,
                          owner=owner)
        phase_id = self.ident((*path, "id"), item.get("id"), title, seen, owner)
        weeks = item.get("weeks", 4)
        if isinstance(weeks, bool) or not isinstance(weeks, int) or not 0 < weeks <= 104:
            self.problem((*path, "weeks"), f"{owner}weeks must be a whole number from 1 to "
                                           f"104, not {describe_value(weeks)}")
        needs = item.get("needs_rollback_plan", False)
        if not isinstance(needs, bool):
            self.problem((*path, "needs_rollback_plan"),
                         f"{owner}needs_rollback_plan must be true or false")
        gates = self.gates(path, item.get("gates"), owner)
        if len(self.problems) > before:
            return None
        assert isinstance(weeks, int) and isinstance(needs, bool)
        return PhaseSpec(phase_id, title, weeks,
                         self.text((*path, "guidance"), item.get("guidance"), "guidance"),
                         needs, gates)

    def ident(self, path: Path, value: object, title: str, seen: set[str], owner: str) -> str:
        ident = slugify(title) if value is None else value
        if not isinstance(ident, str) or not STEP_ID.match(ident):
            self.problem(path, f'{owner}id must be a slug such as "pilot", '
                               f"not {describe_value(value)}")
            return ""
        if ident in seen:
            self.problem(path, f"{owner}id {ident!r} is used twice; ids must be unique")
        seen.add(ident)
        return ident

    def gates(self, path: Path, value: object, owner: str) -> tuple[GateSpec, ...]:
        if value is None:
            self.problem(path, f"{owner}add at least one [[phases.gates]] item: "
                               "what must be true to leave the phase")
            return ()
        specs, seen = [], set[str]()
        for index, item in enumerate(self.tables((*path, "gates"), value, "gates")):
            spec = self.gate((*path, "gates", index), item, f"{owner}gate {index + 1}: ", seen)
            if spec is not None:
                specs.append(spec)
        return tuple(specs)

    def gate(self, path: Path, item: Mapping[str, object], owner: str,
             seen: set[str]) -> GateSpec | None:
        before = len(self.problems)
        self.unknown(path, item, GATE_KEYS, f"in {owner.rstrip(': ')}")
        title = self.text((*path, "title"), item.get("title"), "title", required=True,
                          owner=owner)
        ident = self.ident((*path, "id"), item.get("id"), title, seen, owner)
        check, params = item.get("check"), item.get("params") or {}
        if check is not None and check not in CHECKS:
            hint = closest(check, list(CHECKS)) if isinstance(check, str) else None
            fix = f"did you mean {hint!r}? " if hint else ""
            self.problem((*path, "check"), f"{owner}unknown check {describe_value(check)}; "
                                           f"{fix}known checks: {', '.join(CHECKS)}")
        elif not isinstance(params, dict):
            self.problem((*path, "params"), f"{owner}params must be a table")
        elif check is not None:
            self.params(path, str(check), params, owner)
        guidance = self.text((*path, "guidance"), item.get("guidance"), "guidance")
        checklist = self.linked(path, check, item.get("checklist"), owner)
        if len(self.problems) > before:
            return None
        given = params if isinstance(params, dict) else {}
        resolved: dict[str, ParamValue] = {**CHECKS.get(str(check), {}), **{
            name: value for name, value in given.items()
            if isinstance(value, str | int | float | bool)}}
        return GateSpec(ident, title, guidance, str(check) if check else None, resolved,
                        checklist)

    def linked(self, path: Path, check: object, value: object, owner: str) -> str | None:
        """The checklist a ``check = "checklist"`` item links, and only such an item."""
        if check != "checklist":
            if value is not None:
                self.problem((*path, "checklist"), f'{owner}checklist goes with '
                                                   f'check = "checklist"')
            return None
        if not isinstance(value, str) or not STEP_ID.match(value):
            self.problem((*path, "checklist"), f'{owner}check = "checklist" needs the '
                                               f'checklist\'s key, such as "pre-upgrade", '
                                               f"not {describe_value(value)}")
            return None
        return value

    def params(self, path: Path, check: str, params: Mapping[str, object], owner: str) -> None:
        known = CHECKS[check]
        for name, value in params.items():
            if name not in known:
                self.problem((*path, "params", name),
                             f"{owner}{check} takes no parameter {name!r}; "
                             f"it takes {', '.join(known) or 'none'}")
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                self.problem((*path, "params", name), f"{owner}{name} must be a number, "
                                                      f"not {describe_value(value)}")
