"""The simulated tool on a real loopback HTTP server (stdlib, one thread per connection).

``with serve(tool) as running:`` runs it in a background thread for a test and
gives the bound URL; :func:`serve_forever` blocks, for the CLI.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from pmcockpit.sim.faults import FaultKind
from pmcockpit.sim.http import SimRequest, SimResponse
from pmcockpit.sim.tool import SimTool

Log = Callable[[str], None]
NO_BODY_STATUSES = (204, 304)


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tool: SimTool, address: tuple[str, int], log: Log | None) -> None:
        super().__init__(address, _Handler)
        self.tool = tool
        self.log = log
        self.stopping = threading.Event()
        """Set on shutdown so simulated waits end at once."""

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = host if isinstance(host, str) else host.decode()
        return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    server: SimHTTPServer

    def setup(self) -> None:
        super().setup()
        # Small replies must not wait for the peer's delayed ACK (Nagle): ~40 ms each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        request = SimRequest.build(self.command, unquote(target.path), target.query,
                                   self.headers.items(), body)
        tool, stopping = self.server.tool, self.server.stopping
        outcome = tool.respond(request)
        response = outcome.response
        # The configured latency counts from the request's arrival: the reply is made while
        # it runs, so the answer leaves at latency + a write, not latency + the work.
        waited = tool.faults.latency_seconds - (time.monotonic() - arrived)
        if waited > 0:
            stopping.wait(waited)
        if response is None:  # a simulated timeout or drop: hang up without answering
            if outcome.fault is not None and outcome.fault.kind is FaultKind.TIMEOUT:
                stopping.wait(outcome.fault.hang_seconds)
            self.close_connection = True
            self._log(f"{self.command} {self.path} -> no answer ({outcome.fault})")
            return
        self.wfile.write(self._encode(response))
        self._log(f"{self.command} {self.path} -> {response.status}")

    def _encode(self, response: SimResponse) -> bytes:
        """Status line, headers and body as one buffer, so a reply leaves in one write."""
        phrase = self.responses.get(response.status, ("",))[0]
        lines = [f"{self.protocol_version} {response.status} {phrase}",
                 f"Date: {response.headers.get('Date') or self.date_time_string()}",
                 *(f"{name}: {value}" for name, value in response.headers.items()
                   if name != "Date")]
        with_body = response.status not in NO_BODY_STATUSES
        if with_body:
            lines.append(f"Content-Length: {len(response.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + response.body if with_body and self.command != "HEAD" else head

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def _log(self, line: str) -> None:
        if self.server.log is not None:
            self.server.log(line)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        """Silence the stdlib's per-request stderr lines; ``_log`` reports instead."""


@dataclass(frozen=True)
class RunningServer:
    url: str
    host: str
    port: int
    tool: SimTool


def make_server(tool: SimTool, host: str = "127.0.0.1", port: int = 0,
                log: Log | None = None) -> SimHTTPServer:
    """Bind (port 0 picks a free port) without serving yet."""
    return SimHTTPServer(tool, (host, port), log)


@contextmanager
def serve(tool: SimTool, host: str = "127.0.0.1", port: int = 0,
          log: Log | None = None) -> Iterator[RunningServer]:
    """Serve ``tool`` in a background thread for the duration of the ``with`` block."""
    server = make_server(tool, host, port, log)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"sim-{tool.dialect.name}", daemon=True)
    thread.start()
    try:
        yield RunningServer(server.url, host, server.server_address[1], tool)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()


def serve_forever(tool: SimTool, host: str = "127.0.0.1", port: int = 0,
                  on_ready: Callable[[str], None] | None = None,
                  log: Log | None = None) -> None:
    """Serve until interrupted; ``on_ready`` gets the URL once the port is bound.

    KeyboardInterrupt propagates after the socket is closed.
    """
    server = make_server(tool, host, port, log)
    try:
        if on_ready is not None:
            on_ready(server.url)
        server.serve_forever(poll_interval=0.2)
    finally:
        server.stopping.set()
        server.server_close()
