"""How big and how deeply nested a checklist template may be, checked on the raw text.

The check runs before the TOML parser, whose recursion a few thousand nested
brackets would exhaust (a ``RecursionError`` instead of a message). Brackets inside
strings and comments do not count.
"""

from __future__ import annotations

from pmcockpit.core.i18n import _

MAX_TEMPLATE_CHARS = 256_000
"""A long checklist is a few kilobytes; this leaves room for generous guidance."""
MAX_NESTING = 16
"""Arrays and inline tables inside each other; a template needs three or four."""
_OPENERS, _CLOSERS = "[{", "]}"


def limit_problem(text: str) -> tuple[int, str] | None:
    """(line, message) of the first limit ``text`` breaks, or None."""
    if len(text) > MAX_TEMPLATE_CHARS:
        return 1, _("the file has {size} characters; a template may have at most {limit}"
                    ).format(size=len(text), limit=MAX_TEMPLATE_CHARS)
    line = _too_deep_at(text)
    if line is not None:
        return line, _("brackets are nested more than {limit} deep; a template needs far "
                       "fewer").format(limit=MAX_NESTING)
    return None


def _too_deep_at(text: str) -> int | None:
    """The line where nesting first passes MAX_NESTING, outside strings and comments."""
    depth, line, index = 0, 1, 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            index = _end_of(text, index, "\n") - 1
        elif char in "\"'":
            end = _string_end(text, index)
            line += text.count("\n", index, end)
            index = end - 1
        elif char in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif char in _CLOSERS:
            depth = max(0, depth - 1)
        index += 1
    return None


def _string_end(text: str, start: int) -> int:
    """Index just past the string starting at ``start`` (basic, literal, multi-line)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        return _end_of(text, start + 3, quote * 3, escapes=quote == '"') + 2
    return _end_of(text, start + 1, quote, escapes=quote == '"', stop_at_newline=True)


def _end_of(text: str, start: int, closing: str, *, escapes: bool = False,
            stop_at_newline: bool = False) -> int:
    index = start
    while index < len(text):
        if escapes and text[index] == "\\":
            index += 2
            continue
        if text.startswith(closing, index) or (stop_at_newline and text[index] == "\n"):
            return index + 1
        index += 1
    return len(text)
