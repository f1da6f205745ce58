"""Line breaks between Chinese characters, as Chinese text is set.

Textual wraps text at whitespace only (``textual._wrap`` splits it into "words" with
``re_chunk``, and :class:`textual.content.Content` through Rich's ``rich._wrap.re_word``).
Chinese has no spaces between words: a sentence after a short Latin part
("按 n 新建一个：……") would be pushed whole onto the next line and folded there.
:func:`allow_cjk_breaks` lets a line break after any CJK character too, keeping
closing punctuation (，。：） …) with the character before it and opening punctuation
(（《「 …) with the one after, as Chinese typesetting does. English text is unchanged.
Textual is pinned (pyproject), so the private names replaced are known to exist;
``tests/app/test_line_breaks.py`` fails if they do not.
"""

from __future__ import annotations

import re

from rich import _wrap as rich_wrap
from textual import _wrap

_CJK = "\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_OPENING = "（《「『【〔"
_CLOSING = "，。、：；！？）》」』】〕"
_WORD = (rf"[{_OPENING}]*(?:[{_CJK}]"  # one character,
         rf"|[^\s{_CJK}{_OPENING}{_CLOSING}]+)"  # or a Latin word, a number,
         rf"[{_CLOSING}]*"  # with the punctuation around it attached
         rf"|[{_OPENING}{_CLOSING}]+")  # punctuation on its own
CJK_CHUNK = re.compile(rf"(?:{_WORD})\s*|\s+")
"""Textual's chunk: a word and the whitespace after it, or whitespace alone."""
CJK_WORD = re.compile(rf"\s*(?:{_WORD})\s*")
"""Rich's word: a word with the whitespace around it."""


def allow_cjk_breaks() -> None:
    _wrap.re_chunk = CJK_CHUNK
    rich_wrap.re_word = CJK_WORD
