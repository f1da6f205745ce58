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

from pmcockpit.core.i18n import N_, _

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
        return cls(CheckStatus.ERROR, _("error"), message)


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


# The catalogue's titles, descriptions and parameter help are marked with N_ and translated
# where shown: the catalogue is built at import, before a language may have been chosen.
def _connection() -> ParamSpec:
    return ParamSpec("connection", ParamType.STRING,
                     N_("Name of one connection; every connection when left out."))


def _max_count(help_text: str) -> ParamSpec:
    return ParamSpec("max_count", ParamType.INTEGER, help_text, default=0, minimum=0)


_DEFINITIONS: tuple[CheckDefinition, ...] = (
    CheckDefinition(
        "tool-reachable", N_("Tool reachable"),
        N_("Each tool answers, accepts our credentials and reports its version."),
        (_connection(),
         ParamSpec("max_latency_ms", ParamType.INTEGER, N_("Warn when slower than this."),
                   default=2000, minimum=1)),
    ),
    CheckDefinition(
        "tls-expiry", N_("TLS certificate expiry"),
        N_("Days until each tool's HTTPS certificate expires."),
        (_connection(),
         ParamSpec("warn_days", ParamType.INTEGER, N_("Warn when fewer days are left."),
                   default=30, minimum=0),
         ParamSpec("fail_days", ParamType.INTEGER, N_("Fail when fewer days are left."),
                   default=7, minimum=0)),
    ),
    CheckDefinition(
        "sync-age", N_("Data freshness"),
        N_("Hours since the cockpit last synced each tool."),
        (_connection(),
         ParamSpec("max_hours", ParamType.NUMBER, N_("Warn when the last sync is older."),
                   default=24, minimum=0)),
    ),
    CheckDefinition(
        "inactive-accounts", N_("Inactive accounts"),
        N_("Active accounts that have not logged in for a number of days."),
        (ParamSpec("days", ParamType.INTEGER, N_("Days without a login."), default=90, minimum=1),
         _max_count(N_("Warn when more accounts than this are inactive.")),
         ParamSpec("fail_count", ParamType.INTEGER,
                   N_("Fail when more accounts than this are inactive."), minimum=0)),
    ),
    CheckDefinition(
        "admin-count", N_("Administrator count"),
        N_("Accounts with administrator rights, across all tools."),
        (ParamSpec("max", ParamType.INTEGER, N_("Warn when there are more administrators."),
                   default=5, minimum=0),),
    ),
    CheckDefinition(
        "stale-tickets", N_("Stale tickets"),
        N_("Open tickets nobody has updated for a number of days."),
        (ParamSpec("days", ParamType.INTEGER, N_("Days without an update."), default=30, minimum=1),
         _max_count(N_("Warn when more tickets than this are stale."))),
    ),
    CheckDefinition(
        "unarchived-projects", N_("Finished projects not archived"),
        N_("Closed projects that have not been archived yet."),
        (_max_count(N_("Warn when more projects than this wait for archiving.")),),
    ),
    CheckDefinition(
        "recent-file", N_("Recent file"),
        N_("A file, or the newest file in a directory, was written recently (backups)."),
        (ParamSpec("path", ParamType.STRING, N_("File or directory to look at."), required=True),
         ParamSpec("max_age_hours", ParamType.NUMBER, N_("Fail when the file is older."),
                   default=26, minimum=0)),
    ),
    CheckDefinition(
        "smtp", N_("Mail server"),
        N_("The SMTP server answers with its 220 greeting."),
        (ParamSpec("host", ParamType.STRING, N_("Mail server host name."), required=True),
         ParamSpec("port", ParamType.INTEGER, N_("Mail server port."), default=25, minimum=1),
         ParamSpec("timeout_s", ParamType.NUMBER, N_("Seconds to wait for the greeting."),
                   default=5, minimum=0)),
    ),
    CheckDefinition(
        "command", N_("Shell command"),
        N_("A shell command exits with status 0."),
        (ParamSpec("run", ParamType.STRING, N_("The command line, run by the shell."),
                   required=True),
         ParamSpec("timeout_s", ParamType.NUMBER, N_("Seconds before the command is stopped."),
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
        return [ParamProblem("", _("unknown check {check}").format(check=repr(name)))]
    known = [spec.name for spec in definition.params]
    problems: list[ParamProblem] = []
    for param, value in params.items():
        spec = definition.param(param)
        if spec is None:
            problems.append(ParamProblem(param, _unknown_param(definition, param, known)))
        elif not spec.type.accepts(value):
            problems.append(ParamProblem(
                param, _("parameter {param} of {check} must be {kind}, not {value}").format(
                    param=repr(param), check=name, kind=_article(spec.type),
                    value=describe_value(value))))
        elif spec.minimum is not None and isinstance(value, int | float) \
                and not isinstance(value, bool) and value < spec.minimum:
            problems.append(ParamProblem(
                param, _("parameter {param} of {check} must be at least {minimum}, not {value}")
                .format(param=repr(param), check=name, minimum=spec.minimum, value=value)))
        elif spec.type is ParamType.STRING and spec.required and not str(value).strip():
            problems.append(ParamProblem(param, _("parameter {param} of {check} is empty").format(
                param=repr(param), check=name)))
    for spec in definition.params:
        if spec.required and spec.name not in params:
            problems.append(ParamProblem("", _("{check} needs the parameter {param} ({help})")
                                         .format(check=name, param=repr(spec.name),
                                                 help=_(spec.help).rstrip("."))))
    if not problems:
        problems.extend(_cross_problems(name, params))
    return problems


def validate_params(name: str, params: Mapping[str, object]) -> list[str]:
    """Messages for everything wrong with ``params`` for the check ``name``; empty when fine."""
    return [problem.message for problem in param_problems(name, params)]


def _unknown_param(definition: CheckDefinition, param: str, known: list[str]) -> str:
    message = _("unknown parameter {param} for {check}").format(param=repr(param),
                                                                check=definition.name)
    suggestion = closest(param, known)
    if suggestion:
        message = _("{message}; did you mean {suggestion}?").format(message=message,
                                                                    suggestion=repr(suggestion))
    if known:
        return _("{message} (it takes: {params})").format(message=message,
                                                          params=", ".join(known))
    return _("{message} (it takes no parameters)").format(message=message)


def _article(param_type: ParamType) -> str:
    """The kind of value a parameter takes, as a noun phrase ("an integer")."""
    return {ParamType.STRING: _("a string"), ParamType.INTEGER: _("an integer"),
            ParamType.NUMBER: _("a number"), ParamType.BOOLEAN: _("a boolean")}[param_type]


def describe_value(value: object) -> str:
    """The value as the template author wrote it in TOML, with its kind."""
    if isinstance(value, bool):
        return _("a boolean ({value})").format(value=str(value).lower())
    if isinstance(value, str):
        return _("a string ({value})").format(value=json.dumps(value, ensure_ascii=False))
    if isinstance(value, int):
        return _("an integer ({value})").format(value=value)
    if isinstance(value, float):
        return _("a number ({value})").format(value=value)
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a table")
    return _("a {kind}").format(kind=type(value).__name__)


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
        return [ParamProblem(larger, _("parameter {larger} of {check} ({high}) must not be below "
                                       "{smaller} ({low})").format(
            larger=repr(larger), check=name, high=high, smaller=repr(smaller), low=low))]
    return []
