"""Translated sentences whose parts carry their own style.

A translation may put the parts of a sentence in another order, so a styled part
cannot be glued in front of or behind the rest: the translated template places
it, and :func:`sentence` styles it where it landed.
"""

from __future__ import annotations

from string import Formatter

from textual.content import Content

Part = str | int | Content | tuple[str, str]
"""Plain text, a number, styled Content, or (text, style)."""


def sentence(template: str, **parts: Part) -> Content:
    """``template`` (already translated) with its ``{name}`` fields filled by ``parts``.

    >>> sentence("Checking {title}…", title=("Backups", "bold")).plain
    'Checking Backups…'
    """
    pieces: list[str | Content | tuple[str, str]] = []
    for literal, field, spec, _conversion in Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if field is None:
            continue
        part = parts[field]
        if isinstance(part, int):
            pieces.append(format(part, spec or ""))
        else:
            pieces.append(part)
    return Content.assemble(*pieces)
