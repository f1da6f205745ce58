"""The tools' words and the audit log's stored words shown through labels: English shows
them as they came, Chinese translates the well-known ones, anything else passes through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pmcockpit.core.actions import ActionKind, title_for
from pmcockpit.core.audit_words import action_word, reconciled_line, state_word, target_words
from pmcockpit.core.i18n import use_language
from pmcockpit.core.tool_words import tool_word


@pytest.fixture
def chinese() -> Iterator[None]:
    use_language("zh-CN")
    try:
        yield
    finally:
        use_language("en")


def test_in_english_the_tools_words_are_shown_as_they_came() -> None:
    assert [tool_word(w) for w in ("Normal", "in progress", "locked", "Triage")] == \
        ["Normal", "in progress", "locked", "Triage"]
    assert (state_word("succeeded"), action_word("lock-user"), action_word("frobnicate")) == \
        ("succeeded", "Lock user", "frobnicate")
    assert target_words("alice (user 37)") == "alice (user 37)"


def test_in_chinese_the_well_known_words_are_translated(chinese: None) -> None:
    assert [tool_word(w) for w in ("Normal", "In Progress", "locked", "Triage")] == \
        ["普通", "进行中", "已锁定", "Triage"]
    assert (state_word("intent"), state_word("odd")) == ("意图", "odd")
    assert target_words("alice (user 37)") == "alice（用户 37）"
    assert target_words("user 37") == "用户 37"
    assert target_words("#12") == "#12"
    assert target_words("a (b) (robot 3)") == "a (b) (robot 3)"
    # Action titles are translated at import (core.actions): the title of this process.
    assert reconciled_line(6, "lock-user", "ok") == \
        f"#6 {title_for(ActionKind.LOCK_USER)}：ok"
