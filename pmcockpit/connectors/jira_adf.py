"""Atlassian Document Format (ADF) to plain text and back, for Jira v3 comments and
descriptions.

Jira REST v3 takes and gives rich text as ADF documents. pmcockpit shows and
stores plain text, so reading flattens a document (paragraphs and list items on
their own lines, mentions as their text) and writing wraps plain text into
paragraphs. Unknown node types keep their text: a newer Jira must not lose words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Containers whose children are blocks, shown with an empty line between them.
SECTIONS = frozenset({"doc", "blockquote", "panel", "expand", "nestedExpand", "tableCell",
                      "tableHeader", "layoutSection", "layoutColumn", "bodiedExtension"})
LISTS = {"bulletList": "-", "taskList": "[ ]", "decisionList": "*"}
INLINE_TEXT_ATTRS = ("text", "shortName", "url", "timestamp")


def adf_to_text(document: Any) -> str:
    """The text of an ADF document; a plain string (API v2 style) is returned as it is."""
    if document is None:
        return ""
    if isinstance(document, str):
        return document
    return _render(document).strip()


def _render(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    kind = str(node.get("type"))
    leaf = _LEAVES.get(kind)
    if leaf is not None:
        return leaf(node)
    children = [_render(child) for child in node.get("content") or []]
    if kind in LISTS:
        return "\n".join(f"{LISTS[kind]} {part}" for part in children)
    # Paragraph, heading, codeBlock and anything newer: their text, run together.
    return _JOINERS.get(kind, "".join)(children)


def _inline_text(node: dict[str, Any]) -> str:
    attrs = node.get("attrs") or {}
    return next((str(attrs[a]) for a in INLINE_TEXT_ATTRS if attrs.get(a)), "")


def _blocks(children: list[str]) -> str:
    return "\n\n".join(part for part in children if part)


def _lines(children: list[str]) -> str:
    return "\n".join(part for part in children if part)


def _numbered(children: list[str]) -> str:
    return "\n".join(f"{number}. {part}" for number, part in enumerate(children, start=1))


# Nodes without children that stand for text.
_LEAVES: dict[str, Callable[[dict[str, Any]], str]] = {
    "text": lambda node: str(node.get("text", "")),
    "hardBreak": lambda _node: "\n",
    "rule": lambda _node: "---",
    **dict.fromkeys(("mention", "emoji", "status", "date", "inlineCard", "blockCard"),
                    _inline_text),
}
# How containers join their children's text.
_JOINERS: dict[str, Callable[[list[str]], str]] = {
    **dict.fromkeys(SECTIONS, _blocks),
    **dict.fromkeys(("listItem", "taskItem", "decisionItem", "table"), _lines),
    "orderedList": _numbered,
    "tableRow": " | ".join,
}


def text_to_adf(text: str) -> dict[str, Any]:
    """A document with one paragraph per blank-line-separated block of ``text``."""
    paragraphs = []
    for block in text.strip("\n").split("\n\n") or [""]:
        content: list[dict[str, Any]] = []
        for number, line in enumerate(block.split("\n")):
            if number:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}
