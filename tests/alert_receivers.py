"""Loopback receivers for the alert tests: an HTTP server that answers like Feishu,
DingTalk, Slack or a plain webhook and checks each platform's signature as the
platform documents it, and an SMTP server (aiosmtpd) with STARTTLS and a login."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SECRET = "SECtest-secret"


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    signed: bool


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    failures: int = 0
    """Answer this many next requests with HTTP 503 (then normally)."""
    secret: str = SECRET

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


def feishu_signed(body: dict[str, Any], secret: str) -> bool:
    """Feishu: HMAC-SHA256 keyed with ``timestamp\\nsecret`` over nothing, base64; the
    timestamp (seconds) within an hour."""
    timestamp = int(body.get("timestamp", 0))
    key = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return abs(time.time() - timestamp) < 3600 and body.get("sign") == expected


def dingtalk_signed(query: dict[str, str], secret: str) -> bool:
    """DingTalk: HMAC-SHA256 keyed with the secret over ``timestamp\\nsecret``, base64 (the
    query's url-encoding undone here); the timestamp (milliseconds) within an hour."""
    timestamp = int(query.get("timestamp", 0))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return (abs(time.time() * 1000 - timestamp) < 3_600_000
            and query.get("sign") == base64.b64encode(digest).decode())


def _answer(path: str, signed: bool) -> tuple[int, bytes]:
    if path.startswith("/feishu"):
        answer = {"code": 0, "msg": "success"} if signed else \
            {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
        return 200, json.dumps(answer).encode()
    if path.startswith("/dingtalk"):
        answer = {"errcode": 0, "errmsg": "ok"} if signed else \
            {"errcode": 310000, "errmsg": "sign not match"}
        return 200, json.dumps(answer).encode()
    return 200, b"ok"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.loads(raw)
            if parsed.path.startswith("/feishu"):
                signed = feishu_signed(body, receiver.secret)
            elif parsed.path.startswith("/dingtalk"):
                signed = dingtalk_signed(query, receiver.secret)
            else:
                signed = self.headers.get("X-Pmcockpit-Signature") == "sha256=" + hmac.new(
                    receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
            receiver.requests.append(Received(parsed.path, query, dict(self.headers), body,
                                              signed))
            if receiver.failures:
                receiver.failures -= 1
                status, answer = 503, b"busy"
            else:
                status, answer = _answer(parsed.path, signed)
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def http_receiver() -> Iterator[Receiver]:
    receiver = Receiver("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


# --- SMTP ------------------------------------------------------------------------------

USER, PASSWORD = "cockpit", "smtp-password"


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Session,
                          envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.box.messages.append(message_from_bytes(content))
        self.box.tls.append(session.ssl is not None)
        return "250 OK"


def _certificate(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@contextmanager
def smtp_server(folder: Path) -> Iterator[Mailbox]:
    """An SMTP server on loopback that offers STARTTLS and wants a login over TLS."""
    box = Mailbox("127.0.0.1", 0)

    def authenticate(server: Any, session: Session, envelope: Envelope, mechanism: str,
                     data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(), PASSWORD.encode())
        if ok:
            box.logins.append(USER)
        return AuthResult(success=ok)

    with socket.socket() as probe:  # a free port: the controller must know it to start
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port,
                            tls_context=_certificate(folder), require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
