"""The HTTP client every connector shares: pooling, retries, typed errors, redaction.

One :class:`ToolClient` per connection wraps one long-lived ``httpx.AsyncClient``.
Every failure leaves it as a :mod:`pmcockpit.connectors.errors` exception whose
message names the tool and says what to do (see :mod:`.http_failures`); the token
never appears in one. The paginators at the bottom walk the three paging styles of
the tools we speak to.
"""

from __future__ import annotations

import asyncio
import json
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from pmcockpit import __version__
from pmcockpit.connectors.errors import BadResponse, TlsProblem
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

__all__ = [
    "DEFAULT_TIMEOUT", "JIRA_PAGING", "REDMINE_PAGING", "HttpProbe", "OffsetPaging",
    "Redactor", "RetryPolicy", "ToolClient", "json_at", "paginate_links", "paginate_offset",
    "paginate_token",
]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
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
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        forbidden_advice: str = DEFAULT_FORBIDDEN_ADVICE,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        headers = dict(auth_headers or {})
        self.redact = Redactor([*secrets, *headers.values()])
        self.retry = retry or RetryPolicy()
        self.forbidden_advice = forbidden_advice
        self.last_latency_ms: float | None = None
        self._sleep = sleep
        self._jitter = jitter
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers={**headers, "Accept": "application/json",
                     "User-Agent": f"pmcockpit/{__version__}"},
            timeout=timeout,
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
                f"{self.name}: cannot load the CA bundle {ca_bundle}: "
                f"{getattr(exc, 'strerror', None) or exc}",
                hint="set the connection's ca_bundle option to a readable PEM file",
            ) from None

    async def aclose(self) -> None:
        await self._client.aclose()

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
        request = self._client.build_request(
            method, path, params=params, content=content, headers=headers)
        where = self.describe(request)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send_once(request)
            except httpx.TransportError as exc:
                failure, may_retry = transport_failure(
                    self.name, exc, request, where, self.redact)
                if may_retry and attempt < self.retry.max_attempts:
                    await self._sleep(self.retry.backoff(attempt, self._jitter()))
                    continue
                raise failure from None
            delay = self._retry_delay(response, method, attempt)
            if delay is None:
                break
            await self._sleep(delay)
        return self.raise_for_status(response, empty_rejection=empty_rejection)

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

    def describe(self, request: httpx.Request) -> str:
        """``METHOD /path?query`` with every secret removed, for messages."""
        target = request.url.raw_path.decode("ascii", "replace")
        return self.redact(f"{request.method} {target}")

    def json(self, response: httpx.Response) -> Any:
        """The response's JSON, or BadResponse naming the call and what came instead."""
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type")
            raise BadResponse(
                f"{self.name}: {self.describe(response.request)} did not answer JSON "
                f"(got {kind}, {len(response.content)} bytes)",
                hint="check that the connection URL points at the tool itself, "
                "not a login page or proxy",
                status=response.status_code,
            ) from None

    async def probe(self, path: str) -> HttpProbe:
        """One GET, not retried: latency, HTTP status and, over https, the certificate's expiry.

        Only a transport failure raises; any HTTP status is returned as it is."""
        request = self._client.build_request("GET", path)
        try:
            async with self._in_flight:
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
            failure, _ = transport_failure(
                self.name, exc, request, self.describe(request), self.redact)
            raise failure from None
        self.last_latency_ms = latency
        return HttpProbe(latency, response.status_code, expires, response)

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        async with self._in_flight:
            started = time.perf_counter()
            response = await self._client.send(request)
            self.last_latency_ms = (time.perf_counter() - started) * 1000
            return response

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


# -- paginators ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OffsetPaging:
    """Offset/limit pages with a total or a last-page flag."""

    offset_param: str = "offset"
    limit_param: str = "limit"
    total_key: str = "total_count"
    page_size: int = 100
    is_last_key: str | None = None


REDMINE_PAGING = OffsetPaging()  # Redmine caps limit at 100
JIRA_PAGING = OffsetPaging("startAt", "maxResults", "total", 50, "isLast")


async def paginate_offset(
    client: ToolClient, path: str, *, items_key: str, params: QueryParams | None = None,
    paging: OffsetPaging = REDMINE_PAGING,
) -> AsyncIterator[Any]:
    """Every item of an offset-paged list. An answer without a total is a single page."""
    offset = 0
    while True:
        query = {**(params or {}), paging.offset_param: offset,
                 paging.limit_param: paging.page_size}
        data = await client.get_json(path, query)
        items = json_at(data, items_key, where=f"GET {path}")
        if not isinstance(items, list):
            raise BadResponse(f"{client.name}: GET {path} answered {items_key!r} that is "
                              "not a list")
        for item in items:
            yield item
        # Count what came: the server may cap the page size below what we asked.
        offset += len(items)
        if not items:
            return
        if paging.is_last_key and paging.is_last_key in data:
            if data[paging.is_last_key]:
                return
            continue
        total = data.get(paging.total_key)
        if not isinstance(total, int) or offset >= total:
            return


async def paginate_token(
    client: ToolClient, path: str, *, items_key: str, params: QueryParams | None = None,
    token_param: str = "nextPageToken", token_key: str = "nextPageToken",
    size_param: str = "maxResults", page_size: int = 100,
) -> AsyncIterator[Any]:
    """Every item of a cursor-paged list (Jira's ``nextPageToken`` endpoints)."""
    token: str | None = None
    while True:
        query: dict[str, str | int] = {**(params or {}), size_param: page_size}
        if token:
            query[token_param] = token
        data = await client.get_json(path, query)
        items = json_at(data, items_key, where=f"GET {path}")
        for item in items:
            yield item
        token = data.get(token_key) if isinstance(data, dict) else None
        if not token or not items:
            return


async def paginate_links(
    client: ToolClient, path: str, *, params: QueryParams | None = None, per_page: int = 100,
) -> AsyncIterator[Any]:
    """Every item of a list paged by ``Link: rel=next`` or ``X-Next-Page`` (GitLab)."""
    query: dict[str, str | int] = {**(params or {}), "per_page": per_page}
    response = await client.request("GET", path, params=query)
    while True:
        items = client.json(response)
        if not isinstance(items, list):
            raise BadResponse(f"{client.name}: {client.describe(response.request)} "
                              "answered something that is not a list")
        for item in items:
            yield item
        next_url = response.links.get("next", {}).get("url")
        next_page = response.headers.get("X-Next-Page", "").strip()
        if next_url:
            if not client.same_origin(next_url):
                # Following it would send our token to another host.
                raise BadResponse(f"{client.name}: the next page is on another host",
                                  hint="set the connection URL to the tool's public URL")
            response = await client.request("GET", next_url)
        elif next_page and items:
            response = await client.request("GET", path, params={**query, "page": next_page})
        else:
            return
