"""ToolClient over real TLS: a local https server with a self-signed certificate."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmcockpit.connectors.errors import TlsProblem
from pmcockpit.connectors.http import ToolClient
from tests.connectors.conftest import SleepRecorder

x509 = pytest.importorskip("cryptography.x509")
hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
ec = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ec")

NOT_AFTER = dt.datetime(2031, 6, 1, 12, 0, tzinfo=dt.UTC)


def write_self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "127.0.0.1")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).not_valid_after(NOT_AFTER)
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class JsonHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"user": {"id": 1}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        """Quiet."""


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    cert, key = write_self_signed(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), JsonHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


async def test_untrusted_certificate_is_a_tls_problem(https_server: tuple[str, Path]) -> None:
    url, _ = https_server
    sleeps = SleepRecorder()
    client = ToolClient("tls", url, sleep=sleeps)
    try:
        with pytest.raises(TlsProblem, match="ca_bundle") as caught:
            await client.get_json("/users/current.json")
    finally:
        await client.aclose()
    assert "could not be verified" in str(caught.value)
    assert sleeps.delays == []  # retrying cannot help


async def test_ca_bundle_is_trusted_and_expiry_is_measured(
        https_server: tuple[str, Path]) -> None:
    url, cert = https_server
    client = ToolClient("tls", url, ca_bundle=str(cert))
    try:
        assert await client.get_json("/users/current.json") == {"user": {"id": 1}}
        probe = await client.probe("/users/current.json")
    finally:
        await client.aclose()
    assert probe.status == 200
    assert probe.tls_expires_at == NOT_AFTER
