"""The automated checks a checklist step may name, and the parameters each accepts.

A check is measured elsewhere (network, database, files, SMTP, a subprocess);
``pmcockpit.core.checklist.evaluation`` turns the measured facts into a
:class:`CheckResult`. This module is the catalogue the template parser and the
screens read: names, titles, descriptions and parameter schemas.
"""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ParamValue = str | int | float | bool


class ParamType(enum.StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"

    def accepts(self, value: object) -> bool:
        # bool is an int subclass in Python; `days = true` is still a mistake.
        if self is ParamType.STRING:
            return isinstance(value, str)
        if self is ParamType.BOOLEAN:
            return isinstance(value, bool)
        if isinstance(value, bool):
            return False
        if self is ParamType.INTEGER:
            return isinstance(value, int)
        return isinstance(value, int | float)


class CheckStatus(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    """The check could not be measured at all (the probe itself broke)."""

    @property
    def rank(self) -> int:
        """Worse statuses rank higher, so ``max`` picks the one to show."""
        return _STATUS_RANK[self]


_STATUS_RANK = {CheckStatus.PASS: 0, CheckStatus.WARN: 1, CheckStatus.FAIL: 2,
                CheckStatus.ERROR: 3}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check found: ``value`` is the short figure shown in a column
    ("3 h old", "2 of 3 up"), ``message`` the sentence that explains it."""

    status: CheckStatus
    value: str
    message: str

    @classmethod
    def error(cls, message: str) -> CheckResult:
        """For the caller whose measurement raised: the check could not run."""
        return cls(CheckStatus.ERROR, "error", message)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    name: str
    type: ParamType
    help: str
    required: bool = False
    default: ParamValue | None = None
    minimum: int | None = None


@dataclass(frozen=True, slots=True)
class ParamProblem:
    param: str
    """The parameter concerned; the template parser uses it to find the line."""
    message: str


@dataclass(frozen=True, slots=True)
class CheckDefinition:
    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...] = ()

    def param(self, name: str) -> ParamSpec | None:
        return next((spec for spec in self.params if spec.name == name), None)

    def resolve(self, params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """``params`` with defaults filled in; optional params without a default stay absent."""
        resolved = {spec.name: spec.default for spec in self.params if spec.default is not None}
        resolved.update(params)
        return {name: value for name, value in resolved.items() if value is not None}


def _connection() -> ParamSpec:
    return ParamSpec("connection", ParamType.STRING,
                     "Name of one connection; every connection when left out.")


def _max_count(help_text: str) -> ParamSpec:
    return ParamSpec("max_count", ParamType.INTEGER, help_text, default=0, minimum=0)


_DEFINITIONS: tuple[CheckDefinition, ...] = (
    CheckDefinition(
        "tool-reachable", "Tool reachable",
        "Each tool answers, accepts our credentials and reports its version.",
        (_connection(),
         ParamSpec("max_latency_ms", ParamType.INTEGER, "Warn when slower than this.",
                   default=2000, minimum=1)),
    ),
    CheckDefinition(
        "tls-expiry", "TLS certificate expiry",
        "Days until each tool's HTTPS certificate expires.",
        (_connection(),
         ParamSpec("warn_days", ParamType.INTEGER, "Warn when fewer days are left.",
                   default=30, minimum=0),
         ParamSpec("fail_days", ParamType.INTEGER, "Fail when fewer days are left.",
                   default=7, minimum=0)),
    ),
    CheckDefinition(
        "sync-age", "Data freshness",
        "Hours since the cockpit last synced each tool.",
        (_connection(),
         ParamSpec("max_hours", ParamType.NUMBER, "Warn when the last sync is older.",
                   default=24, minimum=0)),
    ),
    CheckDefinition(
        "inactive-accounts", "Inactive accounts",
        "Active accounts that have not logged in for a number of days.",
        (ParamSpec("days", ParamType.INTEGER, "Days without a login.", default=90, minimum=1),
         _max_count("Warn when more accounts than this are inactive."),
         ParamSpec("fail_count", ParamType.INTEGER,
                   "Fail when more accounts than this are inactive.", minimum=0)),
    ),
    CheckDefinition(
        "admin-count", "Administrator count",
        "Accounts with administrator rights, across all tools.",
        (ParamSpec("max", ParamType.INTEGER, "Warn when there are more administrators.",
                   default=5, minimum=0),),
    ),
    CheckDefinition(
        "stale-tickets", "Stale tickets",
        "Open tickets nobody has updated for a number of days.",
        (ParamSpec("days", ParamType.INTEGER, "Days without an update.", default=30, minimum=1),
         _max_count("Warn when more tickets than this are stale.")),
    ),
    CheckDefinition(
        "unarchived-projects", "Finished projects not archived",
        "Closed projects that have not been archived yet.",
        (_max_count("Warn when more projects than this wait for archiving."),),
    ),
    CheckDefinition(
        "recent-file", "Recent file",
        "A file, or the newest file in a directory, was written recently (backups).",
        (ParamSpec("path", ParamType.STRING, "File or directory to look at.", required=True),
         ParamSpec("max_age_hours", ParamType.NUMBER, "Fail when the file is older.",
                   default=26, minimum=0)),
    ),
    CheckDefinition(
        "smtp", "Mail server",
        "The SMTP server answers with its 220 greeting.",
        (ParamSpec("host", ParamType.STRING, "Mail server host name.", required=True),
         ParamSpec("port", ParamType.INTEGER, "Mail server port.", default=25, minimum=1),
         ParamSpec("timeout_s", ParamType.NUMBER, "Seconds to wait for the greeting.",
                   default=5, minimum=0)),
    ),
    CheckDefinition(
        "command", "Shell command",
        "A shell command exits with status 0.",
        (ParamSpec("run", ParamType.STRING, "The command line, run by the shell.",
                   required=True),
         ParamSpec("timeout_s", ParamType.NUMBER, "Seconds before the command is stopped.",
                   default=30, minimum=0)),
    ),
)

CHECKS: Mapping[str, CheckDefinition] = {check.name: check for check in _DEFINITIONS}


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` was most likely meant to be, for "did you mean" hints."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def param_problems(name: str, params: Mapping[str, object]) -> list[ParamProblem]:
    """Everything wrong with ``params`` for the check ``name``, one problem per param."""
    definition = CHECKS.get(name)
    if definition is None:
        return [ParamProblem("", f"unknown check {name!r}")]
    known = [spec.name for spec in definition.params]
    problems: list[ParamProblem] = []
    for param, value in params.items():
        spec = definition.param(param)
        if spec is None:
            problems.append(ParamProblem(param, _unknown_param(definition, param, known)))
        elif not spec.type.accepts(value):
            problems.append(ParamProblem(
                param, f"parameter {param!r} of {name} must be {_article(spec.type)}, "
                       f"not {describe_value(value)}"))
        elif spec.minimum is not None and isinstance(value, int | float) \
                and not isinstance(value, bool) and value < spec.minimum:
            problems.append(ParamProblem(
                param, f"parameter {param!r} of {name} must be at least {spec.minimum}, "
                       f"not {value}"))
        elif spec.type is ParamType.STRING and spec.required and not str(value).strip():
            problems.append(ParamProblem(param, f"parameter {param!r} of {name} is empty"))
    for spec in definition.params:
        if spec.required and spec.name not in params:
            problems.append(ParamProblem(
                "", f"{name} needs the parameter {spec.name!r} ({spec.help.rstrip('.')})"))
    if not problems:
        problems.extend(_cross_problems(name, params))
    return problems


def validate_params(name: str, params: Mapping[str, object]) -> list[str]:
    """Messages for everything wrong with ``params`` for the check ``name``; empty when fine."""
    return [problem.message for problem in param_problems(name, params)]


def _unknown_param(definition: CheckDefinition, param: str, known: list[str]) -> str:
    message = f"unknown parameter {param!r} for {definition.name}"
    suggestion = closest(param, known)
    if suggestion:
        message += f"; did you mean {suggestion!r}?"
    if known:
        return f"{message} (it takes: {', '.join(known)})"
    return f"{message} (it takes no parameters)"


def _article(param_type: ParamType) -> str:
    return "an integer" if param_type is ParamType.INTEGER else f"a {param_type.value}"


def describe_value(value: object) -> str:
    """The value as the template author wrote it in TOML, with its kind."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({json.dumps(value, ensure_ascii=False)})"
    if isinstance(value, int | float):
        return f"{'an integer' if isinstance(value, int) else 'a number'} ({value})"
    if isinstance(value, list):
        return "a list"
    return "a table" if isinstance(value, dict) else f"a {type(value).__name__}"


def _cross_problems(name: str, params: Mapping[str, object]) -> list[ParamProblem]:
    """Rules between two parameters, checked once each is valid on its own."""
    pairs = {"tls-expiry": ("warn_days", "fail_days"),
             "inactive-accounts": ("fail_count", "max_count")}
    if name not in pairs:
        return []
    larger, smaller = pairs[name]
    resolved = CHECKS[name].resolve({k: v for k, v in params.items()
                                     if isinstance(v, int) and not isinstance(v, bool)})
    high, low = resolved.get(larger), resolved.get(smaller)
    if isinstance(high, int) and isinstance(low, int) and high < low:
        return [ParamProblem(larger, f"parameter {larger!r} of {name} ({high}) must not be "
                                     f"below {smaller!r} ({low})")]
    return []
