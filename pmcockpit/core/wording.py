"""Short wordings of times and counts, shared by the screens and the command line."""

from __future__ import annotations

from datetime import datetime, timedelta


def span(delta: timedelta) -> str:
    """A duration as a person says it at a glance: 45m, 5h, 3d."""
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def ago(then: datetime, now: datetime) -> str:
    return f"{span(now - then)} ago"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    word = noun if count == 1 else (nouns or f"{noun}s")
    return f"{count:,} {word}"
