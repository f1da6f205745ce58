"""The template validator's ground: problems with their lines, keys, text values, and
when a checklist recurs and falls due (``recurrence``, ``due_within_days``, ``due_time``).

:class:`ScheduleParser` collects problems; the step validator of :mod:`.template`
builds on it. Every message is a whole translatable sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time

from pmcockpit.core.checklist.checks import closest, describe_value
from pmcockpit.core.checklist.key_lines import KeyLines, Path
from pmcockpit.core.checklist.recurrence import WEEKDAYS, Recurrence, RecurrenceKind
from pmcockpit.core.i18n import _

RECURRENCE_KEYS = ("kind", "weekday", "day")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


def shown(value: object) -> str:
    """A value as a problem quotes it: a string in quotes, anything else with its kind."""
    return repr(value) if isinstance(value, str) else describe_value(value)


def for_step(step: str, problem: str) -> str:
    """``problem`` said of ``step`` ("step 2: ...")."""
    return _("{step}: {problem}").format(step=step, problem=problem)


class ScheduleParser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = KeyLines(text)
        self.problems: list[TemplateProblem] = []

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(TemplateProblem(self.source, self.lines.nearest(*path), message))

    def unknown_keys(self, path: Path, table: Mapping[str, object], known: tuple[str, ...],
                     messages: tuple[str, str], **fields: str) -> None:
        """Report keys not in ``known``; ``messages`` are the sentence with a suggestion
        ({name}, {hint}) and the one listing the known keys ({name}, {known})."""
        with_hint, without_hint = messages
        for name in table:
            if name not in known:
                hint = closest(name, known)
                message = with_hint if hint else without_hint
                self.problem((*path, name), message.format(
                    name=repr(name), hint=repr(hint), known=", ".join(known), **fields))

    def text(self, path: Path, value: object, label: str, required: bool = False,
             example: str = "", step: str = "") -> str:
        """A string value; the problems name the ``step`` they are in, if any."""
        message = None
        if value is None:
            if required:
                message = _("missing {key}: add {example}")
        elif not isinstance(value, str):
            message = _("{key} must be a string in quotes, not {value}")
        elif required and not value.strip():
            message = _("{key} is empty: write {example}")
        if message is not None:
            message = message.format(key=label, example=example, value=describe_value(value))
            self.problem(path, for_step(step, message) if step else message)
        return value.strip() if isinstance(value, str) else ""

    def recurrence(self, value: object) -> Recurrence | None:
        path: Path = ("recurrence",)
        if value is None:
            self.problem(path, _('missing recurrence: add recurrence = "daily" '
                                 "(or weekly, monthly, quarterly)"))
            return None
        if isinstance(value, str):
            value = {"kind": value}
        if not isinstance(value, dict):
            self.problem(path, _('recurrence must be a string such as "daily" or a table such '
                                 "as {example}, not {value}").format(
                example='{ kind = "weekly", weekday = "monday" }', value=describe_value(value)))
            return None
        self.unknown_keys(path, value, RECURRENCE_KEYS, (
            _("unknown key {name} in recurrence; did you mean {hint}?"),
            _("unknown key {name} in recurrence; use one of {known}")))
        kind = self.recurrence_kind(value.get("kind"))
        weekday = self.weekday(value.get("weekday"), kind)
        day = self.day(value.get("day"), kind)
        if kind is None or weekday is None or day is None:
            return None
        return Recurrence(kind, weekday=weekday, day=day)

    def recurrence_kind(self, value: object) -> RecurrenceKind | None:
        path: Path = ("recurrence", "kind")
        kinds = [kind.value for kind in RecurrenceKind]
        if value is None:
            self.problem(path, _("recurrence needs a kind: one of {kinds}").format(
                kinds=", ".join(kinds)))
            return None
        if not isinstance(value, str) or value.strip().lower() not in kinds:
            hint = closest(str(value).lower(), kinds) if isinstance(value, str) else None
            message = (_("unknown recurrence {value}; did you mean {hint}? use one of {kinds}")
                       if hint else _("unknown recurrence {value}; use one of {kinds}"))
            self.problem(path, message.format(value=shown(value), hint=repr(hint),
                                              kinds=", ".join(kinds)))
            return None
        return RecurrenceKind(value.strip().lower())

    def weekday(self, value: object, kind: RecurrenceKind | None) -> int | None:
        path: Path = ("recurrence", "weekday")
        if value is None:
            return 0  # a weekly checklist with no weekday runs on Mondays
        if kind is not None and kind is not RecurrenceKind.WEEKLY:
            self.problem(path, _("weekday only applies to weekly checklists, not {kind}; "
                                 "remove it").format(kind=kind.value))
            return 0
        name = value.strip().lower() if isinstance(value, str) else ""
        matches = [index for index, day in enumerate(WEEKDAYS)
                   if name == day or (len(name) >= 3 and day.startswith(name))]
        if len(matches) == 1:
            return matches[0]
        hint = closest(name, WEEKDAYS) if name else None
        message = (_("unknown weekday {value}; did you mean {hint}? use one of {weekdays}")
                   if hint else _("unknown weekday {value}; use one of {weekdays}"))
        self.problem(path, message.format(value=shown(value), hint=repr(hint),
                                          weekdays=", ".join(WEEKDAYS)))
        return None

    def day(self, value: object, kind: RecurrenceKind | None) -> int | None:
        path: Path = ("recurrence", "day")
        if value is None:
            return 1
        if kind in (RecurrenceKind.DAILY, RecurrenceKind.WEEKLY, RecurrenceKind.ONCE):
            self.problem(path, _("day only applies to monthly and quarterly checklists, "
                                 "not {kind}; remove it").format(kind=kind))
            return 1
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, _("recurrence day must be a whole number from 1 to 31, "
                                 "not {value}").format(value=describe_value(value)))
            return None
        if not 1 <= value <= 31:
            self.problem(path, _("recurrence day must be from 1 to 31 (31 means the last day "
                                 "of the month), not {value}").format(value=value))
            return None
        return value

    def due_within_days(self, value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(("due_within_days",), _(
                "due_within_days must be a whole number of days from 0 (due on the period's "
                "first day), such as 2, not {value}").format(value=shown(value)))
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
        self.problem(("due_time",), _('due_time must be a 24-hour time in quotes such as '
                                      '"10:00", not {value}').format(value=shown(value)))
        return None
