"""Turning HTTP failures into the typed errors of :mod:`pmcockpit.connectors.errors`.

Every message names the connection and says what to do next; every piece of text
that could carry a credential goes through a :class:`Redactor` first.
"""

from __future__ import annotations

import email.utils
import errno
import re
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from pmcockpit.connectors.errors import (
    AuthenticationFailed,
    BadResponse,
    ConnectorError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Rejected,
    ServerError,
    TlsProblem,
    Unreachable,
)
from pmcockpit.core.i18n import _

REDACTED = "***"
# Query parameters that carry credentials in the dialects we speak (Redmine ``key``,
# GitLab ``private_token``, OAuth ``access_token``).
_SECRET_PARAM = re.compile(
    r"(?i)\b((?:key|api_key|apikey|token|access_token|private_token)=)[^&#\s'\"]*"
)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
DEFAULT_FORBIDDEN_ADVICE = _("the token's user lacks admin rights for this")


class Redactor:
    """Removes the secrets it knows, and any credential-looking query parameter, from text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first so a secret containing another is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SECRET_PARAM.sub(rf"\1{REDACTED}", text)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"

    def adding(self, secrets: Iterable[str]) -> Redactor:
        """This redactor knowing ``secrets`` too (a session token learnt at login)."""
        return Redactor([*self._secrets, *secrets])


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def tool_error_messages(response: httpx.Response) -> list[str]:
    """The human-readable errors in a refusal, in Redmine, Jira, GitLab and Feishu shapes."""
    try:
        data = response.json()
    except ValueError:
        return []
    messages: list[str] = []
    if isinstance(data, dict) and isinstance(data.get("msg"), str) and data.get("code"):
        messages.append(f"{data['msg']} (code {data['code']})")  # Feishu's envelope
    if isinstance(data, dict):
        for key in ("errors", "errorMessages", "message", "error"):
            value = data.get(key)
            if isinstance(value, str):
                messages.append(value)
            elif isinstance(value, list):
                messages.extend(str(item) for item in value)
            elif isinstance(value, dict):  # Jira field errors, GitLab validation errors
                messages.extend(f"{field}: {text}" for field, text in value.items())
    return messages


def tls_expiry(response: httpx.Response) -> datetime | None:
    """When the server's certificate expires, read from a still-open https response."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    cert = ssl_object.getpeercert() if ssl_object is not None else None
    not_after = cert.get("notAfter") if cert else None
    if not isinstance(not_after, str):
        return None
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_tls_verification_failure(exc: BaseException) -> bool:
    return any(isinstance(e, ssl.SSLCertVerificationError)
               or "CERTIFICATE_VERIFY_FAILED" in str(e) for e in _exception_chain(exc))


def transport_failure(
    name: str, exc: httpx.TransportError, request: httpx.Request, where: str,
    redact: Redactor,
) -> tuple[ConnectorError, bool]:
    """The typed error for ``exc``, and whether sending the request again is safe."""
    host = request.url.host
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    if _is_tls_verification_failure(exc):
        return TlsProblem(
            _("{name}: the TLS certificate of {host} could not be verified").format(
                name=name, host=host),
            hint=_("if the server uses a private CA, set the connection's ca_bundle option "
                   "to that CA's PEM file"),
        ), False
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Unreachable(_("{name}: {url} is not an http:// or https:// URL").format(
            name=name, url=redact(str(request.url))), hint=_("fix the connection URL")), False
    chain = list(_exception_chain(exc))
    detail = redact(str(exc)) or type(exc).__name__
    # ``not_sent``: the failure proves the request never reached the server.
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        what, not_sent = _("{name}: timed out connecting to {host}:{port}"), True
    elif isinstance(exc, httpx.TimeoutException):
        what, not_sent = _("{name}: {host} accepted {where} but did not answer in time"), False
    elif any(isinstance(e, socket.gaierror) for e in chain):
        what, not_sent = _("{name}: the name {host} does not resolve (DNS)"), True
    elif any(isinstance(e, ConnectionRefusedError)
             or getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain):
        what = _("{name}: {host}:{port} refused the connection (is the server running on "
                 "that port?)")
        not_sent = True
    elif isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        what, not_sent = _("{name}: cannot connect to {host}:{port}: {detail}"), True
    else:
        what, not_sent = _("{name}: the connection to {host} broke during {where}: {detail}"), False
    failure = Unreachable(what.format(name=name, host=host, port=port, where=where,
                                      detail=detail),
                          hint=_("check the URL, the network and any proxy settings"))
    return failure, not_sent or request.method in IDEMPOTENT_METHODS


def status_failure(
    name: str, response: httpx.Response, where: str, redact: Redactor, *,
    empty_rejection: str | None = None, forbidden_advice: str = DEFAULT_FORBIDDEN_ADVICE,
) -> ConnectorError:
    """The typed error for a non-2xx ``response`` to the call described by ``where``."""
    status = response.status_code
    if status == 401:
        return AuthenticationFailed(
            _("the API token for {name} is wrong or expired").format(name=name),
            hint=_("replace it with `pmcockpit connect add …`"), status=status)
    if status == 403:
        return PermissionDenied(_("{name} refused {where}: {advice}").format(
            name=name, where=where, advice=forbidden_advice), status=status)
    if status == 404:
        return NotFound(_("{name} has no {what} (404)").format(
            name=name, what=where.split(" ", 1)[-1]),
            hint=_("it may have been deleted or renamed since the last sync"), status=status)
    if status == 429:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        hint = (_("try again in {seconds:.0f} s").format(seconds=wait) if wait is not None
                else _("try again later"))
        return RateLimited(_("{name} is rate limiting pmcockpit ({where})").format(
            name=name, where=where), retry_after=wait, hint=hint)
    if 300 <= status < 400:
        target = redact(response.headers.get("Location", _("elsewhere")))
        return BadResponse(_("{name} redirected {where} to {target}").format(
            name=name, where=where, target=target),
            hint=_("set the connection URL to where the tool really is (often https:// "
                   "instead of http://)"), status=status)
    if status >= 500:
        return ServerError(_("{name} failed with HTTP {status} on {where}").format(
            name=name, status=status, where=where),
            hint=_("the tool's own logs say why; try again later"), status=status)
    return _refusal(name, response, where, redact, empty_rejection)


def _refusal(name: str, response: httpx.Response, where: str, redact: Redactor,
             empty_rejection: str | None) -> ConnectorError:
    """A 4xx the tool explains (409/422: what it refused and why) or not."""
    status = response.status_code
    messages = [redact(m) for m in tool_error_messages(response)]
    if status in (409, 422):
        text = ("; ".join(messages) if messages
                else empty_rejection or _("the tool gave no reason"))
        return Rejected(_("{name} refused {where}: {reason}").format(
            name=name, where=where, reason=text), status=status)
    if messages:
        return Rejected(_("{name} refused {where} with HTTP {status}: {reasons}").format(
            name=name, where=where, status=status, reasons="; ".join(messages)), status=status)
    return Rejected(_("{name} refused {where} with HTTP {status}").format(
        name=name, where=where, status=status), status=status)


def json_at(data: Any, *path: str | int, where: str) -> Any:
    """``data[path[0]][path[1]]...``, or BadResponse naming the missing piece and the call."""
    current = data
    for depth, key in enumerate(path):
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            dotted = ".".join(str(k) for k in path[: depth + 1])
            raise BadResponse(_("{where} answered without {path!r}").format(
                where=where, path=dotted),
                hint=_("the tool's API version may not be supported")) from None
    return current
