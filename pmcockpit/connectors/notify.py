"""Sending a message to a team's chat or mailbox: the network side of the alerts.

Each platform's documented request:

- **Feishu** custom bot: POST JSON ``{"msg_type": "text", "content": {"text": ...}}``; with
  signature verification on, the body also carries ``timestamp`` (seconds) and ``sign``:
  base64 of HMAC-SHA256 keyed with ``timestamp + "\\n" + secret`` over an empty message.
  It answers ``{"code": 0}``; any other code is a refusal (19021: bad signature).
- **DingTalk** custom robot: POST JSON ``{"msgtype": "text", "text": {"content": ...}}`` to
  the webhook with ``timestamp`` (milliseconds) and ``sign`` added to the query: base64 of
  HMAC-SHA256 keyed with the secret over ``timestamp + "\\n" + secret``, url-encoded. It
  answers ``{"errcode": 0}``; any other is a refusal (310000: bad signature).
- **Slack** incoming webhook: POST JSON ``{"text": ...}``; it answers ``ok``.
- A generic **webhook**: POST JSON ``{"title", "text", "alerts": [...]}``; with a secret,
  the header ``X-Pmcockpit-Signature: sha256=<hex HMAC-SHA256 of the body>``.
- **E-mail** over SMTP with STARTTLS (unless the server is on loopback and offers none)
  and a login when a password is stored.

A try that fails (network, HTTP status, platform refusal) is retried; the caller gets a
:class:`Sent` saying how it went, never an exception. No URL or secret ever appears in
an error: webhook URLs carry their token.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx

from pmcockpit.core.alerts import NOTIFIER_KINDS
from pmcockpit.core.i18n import _

KINDS = NOTIFIER_KINDS
TIMEOUT_S = 10.0
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Target:
    """Where one notifier sends: the URL and secret come from the keyring."""

    name: str
    kind: str
    url: str = ""
    secret: str = ""
    to: tuple[str, ...] = ()
    smtp_host: str = ""
    smtp_port: int = 587
    sender: str = ""
    username: str = ""

    def __repr__(self) -> str:  # never the URL or the secret
        return f"Target(name={self.name!r}, kind={self.kind!r})"


@dataclass(frozen=True, slots=True)
class Sent:
    ok: bool
    attempts: int
    error: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    text: str
    alerts: list[dict[str, str]] = field(default_factory=list)


class Refused(Exception):
    """The receiver answered, but not with success."""


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The signature, url-encoded as the query wants it."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _feishu(target: Target, message: Message, now: float) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {"msg_type": "text",
                            "content": {"text": f"{message.title}\n\n{message.text}"}}
    if target.secret:
        timestamp = int(now)
        body = {"timestamp": str(timestamp), "sign": feishu_sign(target.secret, timestamp),
                **body}
    return target.url, body


def _dingtalk(target: Target, message: Message, now: float) -> tuple[str, dict[str, Any]]:
    url = target.url
    if target.secret:
        timestamp = int(now * 1000)
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(target.secret, timestamp)}"
    return url, {"msgtype": "text", "text": {"content": f"{message.title}\n\n{message.text}"}}


def request_for(target: Target, message: Message, now: float | None = None
                ) -> tuple[str, bytes, dict[str, str]]:
    """The URL, body and headers of the platform's request."""
    now = time.time() if now is None else now
    if target.kind == "feishu":
        url, body = _feishu(target, message, now)
    elif target.kind == "dingtalk":
        url, body = _dingtalk(target, message, now)
    elif target.kind == "slack":
        url, body = target.url, {"text": f"*{message.title}*\n{message.text}"}
    else:
        url, body = target.url, {"title": message.title, "text": message.text,
                                 "alerts": message.alerts}
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if target.kind == "webhook" and target.secret:
        headers["X-Pmcockpit-Signature"] = webhook_signature(target.secret, data)
    return url, data, headers


def _check_answer(kind: str, response: httpx.Response) -> None:
    if response.status_code >= 300:
        raise Refused(_("HTTP {status}").format(status=response.status_code))
    if kind not in ("feishu", "dingtalk"):
        return
    try:
        answer = response.json()
    except ValueError:
        raise Refused(_("an answer that is not JSON")) from None
    code = answer.get("code", answer.get("StatusCode")) if kind == "feishu" \
        else answer.get("errcode")
    if code not in (0, None):
        detail = answer.get("msg") or answer.get("errmsg") or ""
        raise Refused(_("refused: {code} {detail}").format(code=code, detail=detail).strip())


async def _post(client: httpx.AsyncClient, target: Target, message: Message) -> None:
    url, data, headers = request_for(target, message)
    try:
        response = await client.post(url, content=data, headers=headers)
    except httpx.HTTPError as error:  # the URL holds a token: name the failure only
        raise Refused(type(error).__name__) from None
    _check_answer(target.kind, response)


def send_mail(target: Target, message: Message, password: str = "") -> None:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = target.sender or target.username or "pmcockpit@localhost"
    mail["To"] = ", ".join(target.to)
    mail.set_content(message.text)
    with smtplib.SMTP(target.smtp_host, target.smtp_port, timeout=TIMEOUT_S) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        elif target.smtp_host not in ("localhost", "127.0.0.1", "::1"):
            raise Refused(_("the mail server offers no STARTTLS; refusing to send in clear"))
        if password:
            smtp.login(target.username or mail["From"], password)
        smtp.send_message(mail)


async def _once(target: Target, message: Message, password: str,
                client: httpx.AsyncClient | None) -> None:
    if target.kind == "email":
        await asyncio.to_thread(send_mail, target, message, password)
        return
    assert client is not None
    await _post(client, target, message)


async def send(target: Target, message: Message, *, password: str = "",
               attempts: int = ATTEMPTS, backoff_s: float = 1.0,
               timeout_s: float = TIMEOUT_S) -> Sent:
    """Send ``message``, retrying; how it went, never an exception."""
    error = ""
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        for attempt in range(1, attempts + 1):
            try:
                await _once(target, message, password, client)
            except (Refused, OSError, smtplib.SMTPException) as exc:
                error = str(exc) or type(exc).__name__
            else:
                return Sent(True, attempt)
            if attempt < attempts:
                await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
    return Sent(False, attempts, error)
