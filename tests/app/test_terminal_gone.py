"""A lost SSH session without a hang-up signal: the pty's other end closes under a running
``pmcockpit demo`` (not its controlling terminal, so no SIGHUP comes), and it ends."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from pmcockpit.screens.terminal import HUNG_UP

ROOT = Path(__file__).resolve().parents[2]
STARTED = 90.0
"""Seconds the demo may take to paint on a loaded machine."""
ENDED = 30.0


def _read_until(master: int, wanted: bytes, deadline: float) -> bytes:
    seen = b""
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"never saw {wanted!r}; got {seen[-300:]!r}"
        ready, _w, _x = select.select([master], [], [], left)
        if ready:
            seen += os.read(master, 65536)
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="a pty")
def test_closing_the_terminal_ends_the_demo(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "HOME": str(tmp_path),
           "PMCOCKPIT_CONFIG": str(tmp_path / "none.toml"), "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "pmcockpit", "demo"], cwd=ROOT,
                               stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    try:
        # The home screen is up: its tab line names the areas.
        _read_until(master, b"Audit", time.monotonic() + STARTED)
        assert process.poll() is None
        os.close(master)
        master = -1
        code = process.wait(timeout=ENDED)
    finally:
        if master >= 0:
            os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code in (0, HUNG_UP)
