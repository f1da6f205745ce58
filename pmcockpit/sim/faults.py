"""Latency and injected failures, applied before the dialect answers.

Tests ask for faults explicitly ("the next 2 requests to /users answer 429"), so
runs are deterministic; the only randomness, ``error_rate``, comes from a seeded
generator.
"""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pmcockpit.sim.http import SimRequest, SimResponse, empty_response, html_response

SERVER_ERROR_TITLES = {500: "Internal error", 502: "Bad Gateway", 503: "Service Unavailable",
                       504: "Gateway Timeout"}


class FaultKind(enum.StrEnum):
    RATE_LIMIT = "rate-limit"
    """429 with ``Retry-After``."""
    SERVER_ERROR = "server-error"
    """500, 502, 503 or 504 with an HTML page, as Rails or a proxy sends it."""
    TIMEOUT = "timeout"
    """No answer: the transport raises ``httpx.ReadTimeout``; the server stays silent."""
    DISCONNECT = "disconnect"
    """The connection closes without an answer (``httpx.RemoteProtocolError``)."""
    MALFORMED_JSON = "malformed-json"
    """200 whose JSON body is cut in half (the request still runs)."""


@dataclass
class Fault:
    kind: FaultKind
    remaining: int = 1
    """How many more matching requests it hits."""
    path_contains: str | None = None
    method: str | None = None
    status: int = 500
    retry_after: int = 1
    hang_seconds: float = 30.0
    """TIMEOUT on the loopback server: how long it stays silent before hanging up."""

    def matches(self, request: SimRequest) -> bool:
        if self.method is not None and request.method != self.method.upper():
            return False
        return self.path_contains is None or self.path_contains in request.path


@dataclass
class FaultPlan:
    latency_ms: float = 0.0
    """Added to every request (asyncio.sleep in-process, a real wait on the server)."""
    error_rate: float = 0.0
    """Share of requests, drawn from ``seed``, that answer 503 when no fault is queued."""
    seed: int = 0
    faults: list[Fault] = field(default_factory=list)
    injected: list[tuple[FaultKind, str]] = field(default_factory=list)
    """(kind, path) of every fault that hit, oldest first."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)

    @property
    def latency_seconds(self) -> float:
        return self.latency_ms / 1000

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def rate_limit(self, times: int = 1, *, retry_after: int = 1, path: str | None = None,
                   method: str | None = None) -> Fault:
        return self.add(Fault(FaultKind.RATE_LIMIT, times, path, method, status=429,
                              retry_after=retry_after))

    def server_error(self, status: int = 500, times: int = 1, *, path: str | None = None,
                     method: str | None = None) -> Fault:
        return self.add(Fault(FaultKind.SERVER_ERROR, times, path, method, status=status))

    def timeout(self, times: int = 1, *, path: str | None = None, method: str | None = None,
                hang_seconds: float = 30.0) -> Fault:
        return self.add(Fault(FaultKind.TIMEOUT, times, path, method,
                              hang_seconds=hang_seconds))

    def disconnect(self, times: int = 1, *, path: str | None = None,
                   method: str | None = None) -> Fault:
        return self.add(Fault(FaultKind.DISCONNECT, times, path, method))

    def malformed_json(self, times: int = 1, *, path: str | None = None,
                       method: str | None = None) -> Fault:
        return self.add(Fault(FaultKind.MALFORMED_JSON, times, path, method, status=200))

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.latency_ms = 0.0
            self.error_rate = 0.0

    def take(self, request: SimRequest) -> Fault | None:
        """The fault that hits ``request``, used up by it; None for a normal answer."""
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(request):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    self.injected.append((fault.kind, request.path))
                    return fault
            if self.error_rate and self._rng.random() < self.error_rate:
                self.injected.append((FaultKind.SERVER_ERROR, request.path))
                return Fault(FaultKind.SERVER_ERROR, status=503)
        return None


def apply_fault(fault: Fault | None, request: SimRequest,
                answer: Callable[[SimRequest], SimResponse]) -> SimResponse | None:
    """The response to send under ``fault``; None when nothing is to be sent."""
    if fault is None:
        return answer(request)
    if fault.kind is FaultKind.RATE_LIMIT:
        return empty_response(429, {"Retry-After": str(fault.retry_after)})
    if fault.kind is FaultKind.SERVER_ERROR:
        return html_response(fault.status, SERVER_ERROR_TITLES.get(fault.status, "Error"))
    if fault.kind is FaultKind.MALFORMED_JSON:
        real = answer(request)
        cut = real.body[: len(real.body) // 2] if len(real.body) > 2 else b'{"'
        return SimResponse(200, {"Content-Type": "application/json; charset=utf-8"}, cut)
    return None
