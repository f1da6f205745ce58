"""Atlassian Document Format, as much as the simulator needs: plain text in and out.

Jira v3 takes and gives rich text (descriptions, comments) as ADF documents. The
simulator keeps plain text in its state, so it wraps text into paragraphs on the
way out and flattens documents on the way in. Deliberately separate from the
connector's own converter: a bug in one must not hide in the other.
"""

from __future__ import annotations

from typing import Any

BLOCK_TYPES = frozenset({"paragraph", "heading", "blockquote", "codeBlock", "listItem",
                         "panel", "rule"})


def to_adf(text: str) -> dict[str, Any] | None:
    """A document with one paragraph per blank-line-separated block; None for no text."""
    if not text:
        return None
    paragraphs = []
    for block in text.split("\n\n"):
        content: list[dict[str, Any]] = []
        for number, line in enumerate(block.split("\n")):
            if number:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def to_text(node: Any) -> str:
    """The text of a document (or of a plain string, which older clients send)."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind in ("mention", "emoji"):
        attrs = node.get("attrs") or {}
        return str(attrs.get("text", ""))
    children = [to_text(child) for child in node.get("content") or []]
    if kind == "doc":
        return "\n\n".join(part for part in children if part)
    joiner = "\n" if kind in ("bulletList", "orderedList") else ""
    return joiner.join(children)


def is_document(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "doc" and "content" in value
