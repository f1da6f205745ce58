"""Transport-neutral requests and responses, and a small route table.

The in-process transport and the loopback server both turn their requests into
a :class:`SimRequest` and send the :class:`SimResponse` back, so a dialect is a
pure function of the state and the request. Dialects declare their endpoints
in a :class:`Router`: method + path pattern -> handler.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only HTTP headers (the last value wins)."""

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = {name.lower(): value for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True)
class SimRequest:
    method: str
    path: str
    """The URL path without the query string, percent-decoded."""
    query: Mapping[str, list[str]] = field(default_factory=dict)
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    @classmethod
    def build(cls, method: str, path: str, query_string: str = "",
              headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
              body: bytes = b"") -> SimRequest:
        query = parse_qs(query_string, keep_blank_values=True)
        return cls(method.upper(), path, query, Headers(headers), body)

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter; "" when given empty, None when absent."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class SimResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(status: int, data: Any, headers: Mapping[str, str] | None = None) -> SimResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return SimResponse(status, {"Content-Type": "application/json; charset=utf-8",
                                **(headers or {})}, body)


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> SimResponse:
    return SimResponse(status, dict(headers or {}), b"")


def html_response(status: int, title: str) -> SimResponse:
    body = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
    return SimResponse(status, {"Content-Type": "text/html; charset=utf-8"},
                       (body + "</body></html>").encode())


Context = TypeVar("Context")
Handler = Callable[[Context, dict[str, str]], SimResponse]

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(int))?\}")


@dataclass(frozen=True)
class Route(Generic[Context]):
    method: str
    pattern: re.Pattern[str]
    handler: Handler[Context]


class Router(Generic[Context]):
    """Routes by method and path pattern; ``{name}`` is one path segment, ``{name:int}``
    digits only. The first route that matches wins, so declare the specific ones first."""

    def __init__(self) -> None:
        self.routes: list[Route[Context]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler[Context]], Handler[Context]]:
        regex = re.compile("^" + self._to_regex(pattern) + "$")

        def register(handler: Handler[Context]) -> Handler[Context]:
            self.routes.append(Route(method.upper(), regex, handler))
            return handler

        return register

    @staticmethod
    def _to_regex(pattern: str) -> str:
        parts, last = [], 0
        for match in _PLACEHOLDER.finditer(pattern):
            parts.append(re.escape(pattern[last:match.start()]))
            body = r"\d+" if match.group(2) == "int" else r"[^/]+?"
            parts.append(f"(?P<{match.group(1)}>{body})")
            last = match.end()
        parts.append(re.escape(pattern[last:]))
        return "".join(parts)

    def match(self, method: str, path: str) -> tuple[Handler[Context], dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route.handler, found.groupdict()
        return None

    def knows_path(self, path: str) -> bool:
        return any(route.pattern.match(path) for route in self.routes)
