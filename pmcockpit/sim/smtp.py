"""A tiny SMTP greeter on loopback, for the demo and the tests of the mail-server check.

It greets (``220 ... ESMTP`` by default), answers HELO/EHLO/NOOP/RSET with 250
and QUIT with 221, and refuses everything else: enough for a client that only
wants to know the server is there. Give another ``greeting`` ("554 ...") to
simulate a server that turns connections away::

    with SmtpGreeter() as smtp:
        check(host=smtp.host, port=smtp.port)
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
from types import TracebackType

DEFAULT_GREETING = "220 pmcockpit-sim ESMTP ready"
IDLE_TIMEOUT_S = 10.0


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    timeout = IDLE_TIMEOUT_S  # a client that goes quiet does not keep a thread forever

    def handle(self) -> None:
        self._say(self.server.greeting)
        if not self.server.greeting.startswith("220"):
            return
        try:
            for raw in self.rfile:
                command = raw.decode("ascii", "replace").strip().split(" ")[0].upper()
                if command == "QUIT":
                    self._say("221 2.0.0 Bye")
                    return
                if command in ("HELO", "EHLO", "NOOP", "RSET"):
                    self._say("250 pmcockpit-sim")
                else:
                    self._say("502 5.5.1 Command not implemented")
        except (TimeoutError, ConnectionError):
            return

    def _say(self, line: str) -> None:
        with contextlib.suppress(ConnectionError):
            self.wfile.write(f"{line}\r\n".encode("ascii"))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], greeting: str) -> None:
        self.greeting = greeting
        super().__init__(address, _Handler)


class SmtpGreeter:
    """Serves on ``host`` (loopback) and a free ``port`` while the ``with`` block lasts."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 greeting: str = DEFAULT_GREETING) -> None:
        self._server = _Server((host, port), greeting)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="sim-smtp", daemon=True)

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> SmtpGreeter:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> SmtpGreeter:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
