"""Where each key of a TOML document was written, so problems can name a line.

tomllib reports lines only for syntax errors; a template that parses but says
something wrong (an unknown check, a bad weekday) still deserves "line 14".
This is a line scanner, not a TOML parser: it reads table headers, ``key =``
lines and one level of inline tables, skips comments and multi-line strings,
and is only ever asked about documents tomllib has already accepted.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=(.*)$")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_BARE_OR_QUOTED})\s*=")


class KeyLines:
    """Line numbers (1-based) by key path.

    Paths name array-of-table entries by index: the third ``[[steps]]`` header is
    ``("steps", 2)`` and its ``check =`` line is ``("steps", 2, "check")``.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._array_counts: dict[Path, int] = {}
        self._scan(text)

    def find(self, *path: str | int) -> int | None:
        """The line of exactly ``path``, or None when it was not written as such."""
        return self._lines.get(path)

    def nearest(self, *path: str | int) -> int:
        """The line of ``path`` or of its closest written ancestor; 1 when none was."""
        for length in range(len(path), 0, -1):
            line = self._lines.get(path[:length])
            if line is not None:
                return line
        return 1

    def _scan(self, text: str) -> None:
        table: Path = ()
        open_quote: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if open_quote is not None:
                # Inside a multi-line string: only its closing quotes matter.
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if match := _ARRAY_HEADER.match(line):
                table = self._array_entry(_split(match.group(1)))
                self._record(table, number)
            elif match := _TABLE_HEADER.match(line):
                table = self._under_arrays(_split(match.group(1)))
                self._record(table, number)
            elif match := _KEY_LINE.match(line):
                path = table + _split(match.group(1))
                self._record(path, number)
                rest = match.group(2)
                for inner in _INLINE_KEY.finditer(rest):
                    self._record(path + _split(inner.group(1)), number)
                open_quote = _opens_multiline(rest)

    def _array_entry(self, keys: Path) -> Path:
        parent = self._under_arrays(keys)
        index = self._array_counts.get(parent, 0)
        self._array_counts[parent] = index + 1
        return (*parent, index)

    def _under_arrays(self, keys: Path) -> Path:
        """``[steps.params]`` belongs to the latest ``[[steps]]`` entry: put its index in."""
        resolved: Path = ()
        for position, key in enumerate(keys):
            resolved = (*resolved, key)
            count = self._array_counts.get(resolved)
            if count and position < len(keys) - 1:
                resolved = (*resolved, count - 1)
        return resolved

    def _record(self, path: Path, number: int) -> None:
        self._lines.setdefault(path, number)


def _split(dotted: str) -> Path:
    parts = re.findall(_BARE_OR_QUOTED, dotted)
    return tuple(part[1:-1] if part[:1] in "\"'" else part for part in parts)


def _opens_multiline(rest: str) -> str | None:
    for quote in ('"""', "'''"):
        if rest.count(quote) % 2 == 1:
            return quote
    return None
