"""Atlassian's published Jira Cloud platform spec (OpenAPI 3.0, see
../shared/vendor-api/README.md) as a checker: which operation a call is, whether its
query parameters are declared, whether an answer fits the operation's response schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the main checkout; a worktree sits one level deeper.
SPEC = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
             if p.is_dir()), ROOT.parent / "shared") / "vendor-api" / \
    "jira-cloud-platform-v3.openapi.json"
BASE = "urn:jira-platform"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pointer: str
    """JSON pointer of the operation object in the spec."""
    query: frozenset[str]


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` in JSON Schema terms (a type that also allows null)."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items()}
    if out.pop("nullable", False):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "$ref" in out or "allOf" in out or "oneOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = _nullable(json.loads(SPEC.read_text(encoding="utf-8")))
    return loaded


@cache
def operations() -> list[tuple[re.Pattern[str], Operation]]:
    found = []
    for template, item in spec()["paths"].items():
        shared = [p for p in item.get("parameters", []) if p.get("in") == "query"]
        for method, operation in item.items():
            if method == "parameters":
                continue
            query = {p["name"] for p in [*shared, *operation.get("parameters", [])]
                     if p.get("in") == "query"}
            regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
                               + "$")
            found.append((regex, Operation(method.upper(), template,
                                           f"/paths/{_escape(template)}/{method}",
                                           frozenset(query))))
    return found


def operation_of(method: str, path: str) -> Operation | None:
    """The spec's operation for a call; the most literal template wins (fewest ``{}``)."""
    matches = [op for regex, op in operations() if op.method == method and regex.match(path)]
    return min(matches, key=lambda op: op.template.count("{"), default=None)


def _operation_object(op: Operation) -> dict[str, Any]:
    node: Any = spec()
    for part in op.pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def schema_problems(op: Operation, status: int, body: Any) -> list[str]:
    """Why ``body`` does not fit the response ``op`` documents for ``status``."""
    responses = _operation_object(op).get("responses", {})
    key = str(status) if str(status) in responses else "default"
    content = responses.get(key, {}).get("content", {}).get("application/json")
    if content is None or "schema" not in content:
        return []  # the spec promises no JSON body for it
    pointer = f"{op.pointer}/responses/{key}/content/application~1json/schema"
    registry = Registry().with_resource(BASE, DRAFT4.create_resource(spec()))
    validator = Draft4Validator({"$ref": f"{BASE}#{pointer}"}, registry=registry)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:160]}"
            for e in validator.iter_errors(body)]


@dataclass
class Exchange:
    method: str
    path: str
    query: tuple[str, ...]
    status: int
    body: Any


class Recorder(httpx.AsyncBaseTransport):
    """Passes every call to ``inner`` and keeps the call and its JSON answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        raw = await response.aread()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.exchanges.append(Exchange(request.method, request.url.path,
                                       tuple(sorted(request.url.params.keys())),
                                       response.status_code, body))
        return httpx.Response(response.status_code, headers=response.headers, content=raw,
                              request=request)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.exchanges)
