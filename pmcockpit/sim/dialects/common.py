"""Helpers every dialect needs: dates, paging, JSON bodies, early answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pmcockpit.sim.http import SimRequest, SimResponse, empty_response, json_response
from pmcockpit.sim.models import User
from pmcockpit.sim.state import ToolState

T = TypeVar("T")


@dataclass
class BodyCall:
    """One authenticated request being handled, with its JSON body (Redmine, Jira)."""

    state: ToolState
    request: SimRequest
    user: User
    body: dict[str, Any]

    def arg(self, name: str) -> str | None:
        return self.request.arg(name)


class Abort(Exception):
    """Stop handling and answer with ``response``."""

    def __init__(self, response: SimResponse) -> None:
        super().__init__(response.status)
        self.response = response


def answer(state: ToolState, respond: Callable[[], SimResponse], *, changes: bool) -> SimResponse:
    """What a route answers: an :class:`Abort` becomes its response, and a request that
    ``changes`` the state marks it changed even when it failed half-way."""
    try:
        return respond()
    except Abort as stop:
        return stop.response
    finally:
        if changes:
            state.changed()


def abort(status: int) -> Abort:
    return Abort(empty_response(status))


def abort_json(status: int, data: Any) -> Abort:
    return Abort(json_response(status, data))


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as Redmine and GitLab write it."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page(items: Sequence[T], offset: int, limit: int) -> list[T]:
    return list(items[offset:offset + limit])


def json_body(request: SimRequest) -> dict[str, Any]:
    """The JSON object sent, or {} when the body is not declared as JSON (it is ignored).

    Raises :class:`Abort` 400 when it is declared as JSON but does not parse.
    """
    if request.method not in ("POST", "PUT", "PATCH") or not request.body:
        return {}
    if request.content_type != "application/json":
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise abort(400) from error
    return data if isinstance(data, dict) else {}


def to_int(value: Any) -> int | None:
    """A query or body value as a whole number (signed), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None
