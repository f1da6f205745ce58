"""Chinese wraps between characters; English still wraps between words."""

from __future__ import annotations

from rich import _wrap as rich_wrap
from textual import _wrap
from textual.content import Content

from pmcockpit.widgets.line_breaks import CJK_CHUNK, CJK_WORD, allow_cjk_breaks


def _lines(text: str, width: int) -> list[str]:
    return [line.plain.rstrip() for line in Content(text).wrap(width)]


def test_the_private_names_replaced_exist_and_are_replaced() -> None:
    allow_cjk_breaks()  # the app does it at import
    assert _wrap.re_chunk is CJK_CHUNK and rich_wrap.re_word is CJK_WORD


def test_chinese_breaks_between_characters_keeping_punctuation_attached() -> None:
    allow_cjk_breaks()
    lines = _lines("按 n 新建一个：工具推广（试点、规范、分批、优化）或版本升级。", 24)
    assert lines[0] == "按 n 新建一个：工具推广（"[:len(lines[0])]
    assert lines[0].startswith("按 n 新建一个：")  # not pushed whole onto the next line
    assert not any(line.startswith(("，", "、", "）", "。", "：")) for line in lines)
    whole = "按n新建一个：工具推广（试点、规范、分批、优化）或版本升级。"
    assert "".join(lines).replace(" ", "") == whole


def test_english_still_breaks_between_words() -> None:
    allow_cjk_breaks()
    assert _lines("No rollouts tracked yet, press n to start one", 20) == [
        "No rollouts tracked", "yet, press n to", "start one"]
