"""The HTTP client every connector shares: pooling, retries, typed errors, redaction.

One :class:`ToolClient` per connection wraps one long-lived ``httpx.AsyncClient``.
Every failure leaves it as a :mod:`pmcockpit.connectors.errors` exception whose
message names the tool and says what to do (see :mod:`.http_failures`); the token
never appears in one. The paginators at the bottom walk the three paging styles of
the tools we speak to live in :mod:`.paging`.

Every request has a deadline for everything it does (connecting, reading, retrying),
and every try its own shorter limit, so a server that accepts and never answers is
reported within seconds (see :class:`RequestLimits`).
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from pmcockpit import __version__
from pmcockpit.connectors.errors import BadResponse, ConnectorError, TlsProblem, Unreachable
from pmcockpit.connectors.http_failures import (
    DEFAULT_FORBIDDEN_ADVICE,
    IDEMPOTENT_METHODS,
    Redactor,
    json_at,
    parse_retry_after,
    status_failure,
    tls_expiry,
    transport_failure,
)
from pmcockpit.core.i18n import _

__all__ = ["HttpProbe", "Redactor", "RequestLimits", "RetryPolicy", "ToolClient", "json_at",
           "request_limits"]

RETRIED_STATUSES = frozenset({502, 503, 504})

Sleep = Callable[[float], Awaitable[None]]
QueryParams = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 10.0
    max_retry_after: float = 60.0
    """A longer ``Retry-After`` is not waited out: the caller gets RateLimited at once."""

    def backoff(self, attempt: int, jitter: float) -> float:
        """Exponential backoff with full jitter; ``attempt`` counts from 1."""
        return jitter * min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """How long a request may take. The settings ``request_timeout`` and
    ``request_deadline`` set them for a run (see :func:`request_limits`)."""

    attempt_seconds: float = 10.0
    """One try, connecting and reading; a try that takes longer has failed."""
    deadline_seconds: float = 30.0
    """The whole request: connecting, reading and every retry."""
    on_wait: Callable[[str], None] | None = None
    """Told when a try failed and another follows, so whoever waits sees why."""


DEFAULT_LIMITS = RequestLimits()
_LIMITS: ContextVar[RequestLimits | None] = ContextVar("pmcockpit_request_limits", default=None)


@contextmanager
def request_limits(limits: RequestLimits) -> Iterator[None]:
    """Use ``limits`` for every request made inside the block (and the tasks it starts)."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


@dataclass(frozen=True, slots=True)
class HttpProbe:
    """One timed GET. (The connector's ``probe`` turns it into a ``base.ProbeResult``.)"""

    latency_ms: float
    status: int
    tls_expires_at: datetime | None
    response: httpx.Response
    """Already read; pass it to ``ToolClient.raise_for_status`` or ``ToolClient.json``."""


class ToolClient:
    """One connection's HTTP client. Create it once, use it for every call, close it."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        auth_headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        ca_bundle: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        max_in_flight: int = 4,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        limits: RequestLimits | None = None,
        forbidden_advice: str = DEFAULT_FORBIDDEN_ADVICE,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        headers = dict(auth_headers or {})
        self.redact = Redactor([*secrets, *headers.values()])
        self.retry = retry or RetryPolicy()
        self.forbidden_advice = forbidden_advice
        self.last_latency_ms: float | None = None
        self.clock_offset = timedelta()
        """The tool's clock minus ours, from its last ``Date`` header (to the second)."""
        self._limits = limits
        self._sleep = sleep
        self._jitter = jitter
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={**headers, "Accept": "application/json",
                     "User-Agent": f"pmcockpit/{__version__}"},
            timeout=DEFAULT_LIMITS.attempt_seconds,
            verify=self._verify(ca_bundle),
            trust_env=True,  # HTTP(S)_PROXY, NO_PROXY and SSL_CERT_FILE from the environment
            transport=transport,
            # Never follow: a redirect to another host would carry the API key there.
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"ToolClient(name={self.name!r}, base_url={self.redact(self.base_url)!r})"

    def _verify(self, ca_bundle: str | None) -> ssl.SSLContext | bool:
        if not ca_bundle:
            return True
        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise TlsProblem(
                _("{name}: cannot load the CA bundle {path}: {problem}").format(
                    name=self.name, path=ca_bundle,
                    problem=getattr(exc, "strerror", None) or exc),
                hint=_("set the connection's ca_bundle option to a readable PEM file"),
            ) from None

    async def aclose(self) -> None:
        await self._client.aclose()

    def add_auth_headers(self, headers: Mapping[str, str]) -> None:
        """Send ``headers`` with every later call, never showing their values (a session
        token that a login returned, as ZenTao's)."""
        self._client.headers.update(headers)
        self.redact = self.redact.adding(headers.values())

    @property
    def limits(self) -> RequestLimits:
        """The limits given to this client, else those of the current run."""
        return self._limits or _LIMITS.get() or DEFAULT_LIMITS

    def _past_deadline(self, where: str, limits: RequestLimits) -> ConnectorError:
        return Unreachable(
            _("{name}: {where} got no complete answer within {seconds:g} s "
              "(connecting, reading and retrying)").format(
                name=self.name, where=where, seconds=limits.deadline_seconds),
            hint=_("check that the tool is up and answering; the settings request_timeout "
                   "and request_deadline set how long pmcockpit waits"))

    def _tell_retry(self, limits: RequestLimits, why: str, attempt: int) -> None:
        if limits.on_wait is not None:
            limits.on_wait(_("{why}; trying again ({attempt} of {attempts})").format(
                why=why, attempt=attempt + 1, attempts=self.retry.max_attempts))

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        json_body: Mapping[str, Any] | None = None,
        empty_rejection: str | None = None,
    ) -> httpx.Response:
        """Send one call, retrying what is safe to retry; return a 2xx response or raise.

        ``empty_rejection`` explains a 409/422 that comes without any error message.
        """
        method = method.upper()
        headers = {}
        content = None
        if json_body is not None:
            # Redmine ignores a body not marked as JSON (and then refuses the call).
            headers["Content-Type"] = "application/json"
            content = json.dumps(json_body).encode()
        limits = self.limits
        request = self._client.build_request(
            method, path, params=params, content=content, headers=headers,
            timeout=limits.attempt_seconds)
        where = self.describe(request)
        # The deadline runs from when the request has its slot: a long sync queues thousands
        # of requests behind the in-flight limit, and waiting in line is not the tool's delay.
        async with self._in_flight:
            try:
                async with asyncio.timeout(limits.deadline_seconds):
                    response = await self._send_with_retries(request, where, limits)
            except TimeoutError:
                raise self._past_deadline(where, limits) from None
        return self.raise_for_status(response, empty_rejection=empty_rejection)

    async def _send_with_retries(self, request: httpx.Request, where: str,
                                 limits: RequestLimits) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send_once(request)
            except httpx.TransportError as exc:
                failure, may_retry = transport_failure(
                    self.name, exc, request, where, self.redact)
                if may_retry and attempt < self.retry.max_attempts:
                    self._tell_retry(limits, failure.message, attempt)
                    await self._sleep(self.retry.backoff(attempt, self._jitter()))
                    continue
                raise failure from None
            delay = self._retry_delay(response, request.method, attempt)
            if delay is None:
                return response
            self._tell_retry(limits, _("{name}: {where} answered HTTP {status}").format(
                name=self.name, where=where, status=response.status_code), attempt)
            await self._sleep(delay)

    def raise_for_status(
        self, response: httpx.Response, *, empty_rejection: str | None = None
    ) -> httpx.Response:
        """``response`` when it is a 2xx, else the typed error for it."""
        if response.is_success:
            return response
        raise status_failure(self.name, response, self.describe(response.request),
                             self.redact, empty_rejection=empty_rejection,
                             forbidden_advice=self.forbidden_advice)

    async def get_json(self, path: str, params: QueryParams | None = None) -> Any:
        return self.json(await self.request("GET", path, params=params))

    def call(self, method: str, path: str) -> str:
        """``METHOD /full/path`` of a call to ``path`` (the base URL's own path included)."""
        return f"{method} {httpx.URL(self.base_url).path.rstrip('/')}{path}"

    def describe(self, request: httpx.Request) -> str:
        """``METHOD /path?query`` with every secret removed, for messages."""
        target = request.url.raw_path.decode("ascii", "replace")
        return self.redact(f"{request.method} {target}")

    def json(self, response: httpx.Response) -> Any:
        """The response's JSON, or BadResponse naming the call and what came instead."""
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", _("no content type"))
            raise BadResponse(
                _("{name}: {where} did not answer JSON (got {kind}, {size} bytes)").format(
                    name=self.name, where=self.describe(response.request), kind=kind,
                    size=len(response.content)),
                hint=_("check that the connection URL points at the tool itself, not a login "
                       "page or proxy"),
                status=response.status_code,
            ) from None

    async def probe(self, path: str) -> HttpProbe:
        """One GET, not retried: latency, HTTP status and, over https, the certificate's expiry.

        Only a transport failure raises; any HTTP status is returned as it is."""
        limits = self.limits
        request = self._client.build_request("GET", path, timeout=limits.attempt_seconds)
        try:
            async with asyncio.timeout(limits.deadline_seconds), self._in_flight:
                started = time.perf_counter()
                # Streamed so the connection (and its certificate) is still open when read.
                response = await self._client.send(request, stream=True)
                try:
                    expires = tls_expiry(response)
                    await response.aread()
                finally:
                    await response.aclose()
                latency = (time.perf_counter() - started) * 1000
        except httpx.TransportError as exc:
            failure, _retry = transport_failure(
                self.name, exc, request, self.describe(request), self.redact)
            raise failure from None
        except TimeoutError:
            raise self._past_deadline(self.describe(request), limits) from None
        self.last_latency_ms = latency
        return HttpProbe(latency, response.status_code, expires, response)

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        """One try; the caller holds an in-flight slot."""
        started = time.perf_counter()
        response = await self._client.send(request)
        self.last_latency_ms = (time.perf_counter() - started) * 1000
        self._read_clock(response)
        return response

    def _read_clock(self, response: httpx.Response) -> None:
        try:
            said = parsedate_to_datetime(response.headers.get("Date", ""))
        except (TypeError, ValueError):
            return
        if said.tzinfo is not None:
            self.clock_offset = said - datetime.now(UTC)

    def server_now(self) -> datetime:
        """The tool's time now, as far as its last ``Date`` header tells (ours without one):
        what an updated-since filter is measured against."""
        return datetime.now(UTC) + self.clock_offset

    def _retry_delay(self, response: httpx.Response, method: str, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to stop and use this response."""
        status = response.status_code
        if attempt >= self.retry.max_attempts:
            return None
        if status == 429 or (status in RETRIED_STATUSES and method in IDEMPOTENT_METHODS):
            # A 429 means the call was refused unprocessed, so even a POST is safe to resend.
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None or status not in (429, 503):
                return self.retry.backoff(attempt, self._jitter())
            return retry_after if retry_after <= self.retry.max_retry_after else None
        return None

    def same_origin(self, url: str) -> bool:
        base, other = httpx.URL(self.base_url), httpx.URL(url)
        return (base.scheme, base.host, base.port) == (other.scheme, other.host, other.port)

