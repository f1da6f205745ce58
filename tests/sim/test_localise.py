"""The seeded organisation in Chinese: the same company, in other words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pmcockpit.sim import build_org
from pmcockpit.sim.localise import department_name, localise_org

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
KEPT = {"ERP", "PDF", "PMO", "iOS", "Windows", "Chrome"}  # written so in Chinese too


def _english(text: str) -> set[str]:
    return set(ENGLISH_WORD.findall(text)) - KEPT


def test_in_chinese_the_same_people_tickets_and_dates_in_chinese_words() -> None:
    english = build_org(seed=7, scale=150, now=NOW)
    chinese = localise_org(english, "zh-CN")
    assert [p.login for p in chinese.people] == [p.login for p in english.people]
    assert [t.created_at for t in chinese.tickets] == [t.created_at for t in english.tickets]
    assert [p.key for p in chinese.projects] == [p.key for p in english.projects]
    texts = [t.subject for t in chinese.tickets] + [t.description for t in chinese.tickets]
    texts += [c.body for t in chinese.tickets for c in t.comments]
    texts += [p.name for p in chinese.people] + [p.department for p in chinese.people]
    texts += [p.team for p in chinese.people] + [p.title for p in chinese.people]
    texts += [p.name for p in chinese.projects] + [p.description for p in chinese.projects]
    texts += [g.name for g in chinese.groups]
    left = {text: _english(text) for text in texts if _english(text)}
    assert left == {}
    leaver = next(t for t in chinese.tickets if t.subject.startswith("请移除"))
    assert leaver.subject[3:-3] in {p.name.replace(" ", "") for p in chinese.people}
    assert department_name("PMO", "zh_CN") == "项目管理办公室"


def test_in_english_or_another_language_nothing_changes() -> None:
    english = build_org(seed=7, scale=20, now=NOW)
    assert localise_org(english, "en") is english
    assert localise_org(english, "de") is english
    assert department_name("PMO", "en") == "PMO"
