"""The JQL the simulated Jira understands, with Jira's own refusals for the rest.

Clauses ``field operator value`` joined by ``AND``/``OR`` (AND binds tighter), ``NOT``
and parentheses, then ``ORDER BY field [ASC|DESC], ...``. Fields: ``project``,
``key``/``issuekey``, ``status``, ``statusCategory``, ``priority``, ``issuetype``,
``assignee``, ``reporter``, ``creator``, ``labels``, ``summary``/``text`` (``~``),
``created``, ``updated``, ``resolved``. Operators: ``=``, ``!=``, ``IN``, ``NOT IN``,
``IS [NOT] EMPTY``, ``~``, ``!~`` and, on dates, ``>``, ``>=``, ``<``, ``<=``. Values: words,
quoted strings, numbers, lists in parentheses, ``EMPTY``/``NULL``, ``currentUser()``,
``now()``, ``startOfDay()``, ``startOfWeek()``, ``startOfMonth()``, and dates absolute
("2026-03-01 08:12", 2026/03/01) or relative to now (``-30d``, ``-2w``, ``-4h``, ``-15m``).
Users are named by account id, e-mail or display name. Times are in UTC (the
simulated user's zone). The wording of the errors is Jira Cloud's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pmcockpit.sim.models import Issue

Predicate = Callable[[Issue], bool]
TOKEN = re.compile(r"""\s*(?:(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
                   r"""|(?P<op>!=|!~|>=|<=|=|~|>|<|\(|\)|,)|(?P<word>[^\s=!~<>(),"']+))""")
KEYWORDS = frozenset({"and", "or", "not", "in", "is", "order", "by", "empty", "null"})
RELATIVE = re.compile(r"([-+]?)(\d+)([wdhm])")
UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
FIELD_ALIASES = {"issuekey": "key", "type": "issuetype", "text": "summary"}
ORDERABLE = frozenset({"created", "updated", "key", "id", "priority", "status", "assignee",
                       "summary", "resolved", "project", "reporter"})


class JqlError(Exception):
    """A query Jira refuses; the message is Jira's."""


@dataclass(frozen=True)
class Value:
    text: str | None
    """None: EMPTY/NULL."""
    function: str | None = None
    """A function's name; with its arguments in parentheses when it has any (none of
    the functions understood takes one)."""


@dataclass(frozen=True)
class Query:
    where: Any
    """A nested tuple: ("and"|"or", left, right), ("not", inner) or ("clause", field, op,
    values); None when the query has no restriction."""
    order: list[tuple[str, bool]]
    """(field, descending) in order."""


def tokens(jql: str) -> list[str]:
    found, position = [], 0
    text = jql.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise JqlError(f"Error in the JQL Query: The character '{text[position]}' is a "
                           f"reserved JQL character. (line 1, character {position + 1})")
        found.append(match.group(match.lastgroup or "word"))
        position = match.end()
    return found


class Parser:
    """A recursive-descent parser over the tokens of one query."""

    def __init__(self, jql: str) -> None:
        self.items = tokens(jql)
        self.at = 0

    def peek(self, offset: int = 0) -> str | None:
        index = self.at + offset
        return self.items[index] if index < len(self.items) else None

    def is_word(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.lower() == word

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise JqlError("Error in the JQL Query: Expecting either a value, list or function "
                           "but got end of query.")
        self.at += 1
        return token

    def expect(self, wanted: str) -> None:
        token = self.take()
        if token.lower() != wanted:
            raise JqlError(f"Error in the JQL Query: Expecting '{wanted}' but got '{token}'.")

    def query(self) -> Query:
        where = None
        if self.peek() is not None and not self.is_word("order"):
            where = self.disjunction()
        order: list[tuple[str, bool]] = []
        if self.is_word("order"):
            self.take()
            self.expect("by")
            order = self.order_by()
        if self.peek() is not None:
            raise JqlError(f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got "
                           f"'{self.peek()}'.")
        return Query(where, order)

    def order_by(self) -> list[tuple[str, bool]]:
        order = []
        while True:
            name = field_name(self.take())
            if name not in ORDERABLE:
                raise JqlError(f"Not able to sort using field '{name}'.")
            descending = False
            if self.is_word("asc") or self.is_word("desc"):
                descending = self.take().lower() == "desc"
            order.append((name, descending))
            if self.peek() != ",":
                return order
            self.take()

    def disjunction(self) -> Any:
        left = self.conjunction()
        while self.is_word("or"):
            self.take()
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> Any:
        left = self.negation()
        while self.is_word("and"):
            self.take()
            left = ("and", left, self.negation())
        return left

    def negation(self) -> Any:
        if self.is_word("not"):
            self.take()
            return ("not", self.negation())
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            self.expect(")")
            return inner
        return self.clause()

    def clause(self) -> Any:
        name = field_name(self.take())
        operator = self.operator()
        if operator in ("is", "is not"):
            token = self.take().lower()
            if token not in ("empty", "null"):
                raise JqlError(f"Error in the JQL Query: Expecting 'EMPTY' but got '{token}'.")
            return ("clause", name, "=" if operator == "is" else "!=", [Value(None)])
        if operator in ("in", "not in"):
            return ("clause", name, "=" if operator == "in" else "!=", self.values())
        return ("clause", name, operator, [self.value()])

    def operator(self) -> str:
        token = self.take()
        lowered = token.lower()
        if lowered in ("is", "not") and self.is_word("not" if lowered == "is" else "in"):
            self.take()
            return f"{lowered} {'not' if lowered == 'is' else 'in'}"
        if lowered in ("is", "in") or token in ("=", "!=", "~", "!~", ">", ">=", "<", "<="):
            return lowered
        raise JqlError(f"Error in the JQL Query: Expecting operator but got '{token}'. Valid "
                       "operators are '=', '!=', '~', '!~', '>', '>=', '<', '<=', 'in', "
                       "'not in', 'is', 'is not'.")

    def values(self) -> list[Value]:
        self.expect("(")
        found = [self.value()]
        while self.peek() == ",":
            self.take()
            found.append(self.value())
        self.expect(")")
        return found

    def value(self) -> Value:
        token = self.take()
        if token[0] in "\"'":
            return Value(token[1:-1].replace(f"\\{token[0]}", token[0]))
        if token.lower() in ("empty", "null"):
            return Value(None)
        if token in ("(", ")", ",") or token.lower() in KEYWORDS:
            raise JqlError(f"Error in the JQL Query: Expecting either a value, list or "
                           f"function but got '{token}'.")
        if self.peek() == "(":
            self.take()
            arguments = []
            while self.peek() not in (")", None):
                argument = self.take()
                if argument != ",":
                    arguments.append(argument.strip("\"'"))
            self.expect(")")
            return Value(None, f"{token}({', '.join(arguments)})" if arguments else token)
        return Value(token)


def unknown_function(function: str) -> str:
    shown = function if function.endswith(")") else f"{function}()"
    return f"Unable to find JQL function '{shown}'."


def field_name(token: str) -> str:
    lowered = token.lower().strip("\"'")
    return FIELD_ALIASES.get(lowered, lowered)


def parse(jql: str) -> Query:
    return Parser(jql).query()


def moment_of(value: Value, now: datetime) -> datetime:
    """A date value: a function, a relative offset or an absolute date (UTC)."""
    starts = {"now": now, "startofday": now.replace(hour=0, minute=0, second=0, microsecond=0)}
    starts["startofweek"] = starts["startofday"] - timedelta(days=(now.weekday() + 1) % 7)
    starts["startofmonth"] = starts["startofday"].replace(day=1)
    starts["endofday"] = starts["startofday"] + timedelta(days=1)
    if value.function is not None:
        found = starts.get(value.function.lower())
        if found is None:
            raise JqlError(unknown_function(value.function))
        return found
    text = (value.text or "").strip()
    relative = RELATIVE.fullmatch(text)
    if relative:
        sign = -1 if relative.group(1) == "-" else 1
        amount = timedelta(**{UNITS[relative.group(3)]: sign * int(relative.group(2))})
        return now + amount
    text = text.replace("/", "-")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=now.tzinfo)
        except ValueError:
            continue
    raise JqlError(f"Date value '{value.text}' is invalid. Valid formats include: "
                   "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a "
                   "period format e.g. '-5d', '4w 2d'.")
