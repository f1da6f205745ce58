"""Ending the cockpit when its terminal goes away (a lost SSH session).

The terminal hangs up (SIGHUP), or without a signal: the pty's other end is closed, so
stdin reaches its end and writes fail (EIO/EPIPE). Textual's input thread then reads
nothing for ever and its writer thread dies; the app would stay. A small watcher polls
the terminal's file descriptors for a hang-up or an error and ends the app cleanly.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import stat
import sys
import threading
from contextlib import suppress
from functools import partial
from typing import Any

from textual.app import App

HUNG_UP = 129
"""The exit status of a process ended by SIGHUP (128 + 1), as shells report it."""

_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def end_when_terminal_goes(app: App[Any], *, interval: float = 0.5) -> None:
    """From ``app``'s mount: a hang-up signal or a terminal that is gone ends ``app``."""
    with suppress(NotImplementedError, RuntimeError, AttributeError):  # no SIGHUP here
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, partial(app.exit, return_code=HUNG_UP))
    if app.is_headless or not hasattr(select, "poll"):
        return
    descriptors = _terminal_descriptors()
    if descriptors:
        threading.Thread(target=_watch, args=(app, descriptors, interval),
                         name="pmcockpit-terminal-watch", daemon=True).start()


def _terminal_descriptors() -> list[int]:
    """stdin and the stream Textual draws on (stderr), when a terminal or a pipe."""
    found: list[int] = []
    for stream in (sys.__stdin__, sys.__stderr__, sys.__stdout__):
        with suppress(AttributeError, OSError, ValueError):
            descriptor = stream.fileno() if stream is not None else -1
            mode = os.fstat(descriptor).st_mode
            if os.isatty(descriptor) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                found.append(descriptor)
    return sorted(set(found))


def _watch(app: App[Any], descriptors: list[int], interval: float) -> None:
    poller = select.poll()
    for descriptor in descriptors:
        poller.register(descriptor, _GONE)  # hang-up and errors only, never input
    while app.return_code is None:  # until the app leaves by itself
        events = poller.poll(interval * 1000)
        if any(mask & _GONE for _descriptor, mask in events):
            with suppress(RuntimeError):  # the app is already leaving
                app.call_from_thread(app.exit, return_code=HUNG_UP)
            return
