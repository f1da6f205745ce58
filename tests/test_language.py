"""Choosing the language (config, then PMCOCKPIT_LANG, then LC_ALL/LANG; --lang wins at
start), Babel's dates and durations in it, and the built-in templates in Chinese."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from pmcockpit.config import ConfigError, Settings, load_settings, startup_language
from pmcockpit.core.i18n import (
    _,
    choose_language,
    current_locale,
    format_ago,
    format_day,
    format_month,
    use_language,
)
from pmcockpit.core.wording import ago
from pmcockpit.services.templates import load_templates

CHECKLISTS = resources.files("pmcockpit.templates") / "checklists"


@pytest.fixture
def chinese() -> Iterator[None]:
    use_language("zh-CN")
    try:
        yield
    finally:
        use_language("en")


def test_the_config_comes_first_then_pmcockpit_lang_then_lc_all_then_lang() -> None:
    env = {"PMCOCKPIT_LANG": "zh-CN", "LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}
    assert choose_language("en", env) == "en"
    assert choose_language(None, env) == "zh-CN"
    assert choose_language(None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == \
        "zh_CN.UTF-8"
    assert choose_language(None, {"LANG": "zh_CN.UTF-8"}) == "zh_CN.UTF-8"
    assert choose_language(None, {}) == "en"


def test_the_start_reads_lang_then_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "zh-CN"\n', encoding="utf-8")
    assert startup_language(["demo", "--lang", "en"], {}, config) == "en"
    assert startup_language(["--lang=zh-CN", "sync"], {}, config) == "zh-CN"
    assert startup_language(["sync"], {"LANG": "C.UTF-8"}, config) == "zh-CN"
    config.write_text("language = [broken\n", encoding="utf-8")  # load_settings reports it
    assert startup_language(["sync"], {"LANG": "zh_CN.UTF-8"}, config) == "zh_CN.UTF-8"


def test_a_language_setting_is_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "zh-CN"\n', encoding="utf-8")
    assert load_settings(config, environ={}).language == "zh-CN"
    config.write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="language must be one of en, zh-CN"):
        load_settings(config, environ={})


def test_a_locale_from_the_environment_picks_the_catalog() -> None:
    try:
        use_language("zh_CN.UTF-8")
        assert current_locale() == "zh_CN"
        assert _("Quit") == "退出"
        use_language("C")
        assert (current_locale(), _("Quit")) == ("en", "Quit")
        use_language("fr_FR")  # no catalog: English
        assert (current_locale(), _("Quit")) == ("en", "Quit")
    finally:
        use_language("en")


def test_dates_and_durations_follow_the_language(chinese: None) -> None:
    assert format_day(date(2026, 12, 2)) == "2026年12月2日"
    assert format_day(date(2026, 12, 2), with_year=False) == "12月2日周三"
    assert format_month(date(2026, 10, 1)) == "2026年10月"
    assert format_ago(timedelta(days=3)) == "3天前"
    now = datetime(2026, 12, 3, 9, 0)
    assert ago(now - timedelta(days=3), now) == "3天前"


def test_dates_in_english_keep_their_form() -> None:
    assert format_day(date(2026, 12, 2)) == "2 Dec 2026"
    assert format_day(date(2026, 12, 2), with_year=False) == "Wed 2 Dec"
    assert format_ago(timedelta(days=3)) == "3 days ago"


def test_the_built_in_templates_speak_chinese(chinese: None, tmp_path: Path) -> None:
    templates = load_templates(Settings(templates_dir=str(tmp_path))).templates
    assert {t.name for t in templates.values()} == {
        "每日巡检清单", "每周数据整理", "每月版本对比报告", "每季度用户满意度调研"}
    assert "《运维简报》" in templates["monthly-version-report"].step(
        "operations-bulletin").guidance
    linked = load_templates(Settings(templates_dir=str(tmp_path))).linked
    assert {t.name for t in linked.values()} == {"升级前检查清单", "升级后验证"}


@pytest.mark.parametrize("name", ["daily-inspection.toml", "weekly-cleanup.toml",
                                  "monthly-version-report.toml",
                                  "quarterly-satisfaction-survey.toml",
                                  "../upgrades/pre-upgrade.toml",
                                  "../upgrades/post-upgrade.toml"])
def test_a_chinese_template_has_the_english_ones_steps(name: str) -> None:
    folder = CHECKLISTS / name.rpartition("/")[0] if "/" in name else CHECKLISTS
    name = name.rpartition("/")[2]
    english = tomllib.loads((folder / name).read_text(encoding="utf-8"))
    chinese = tomllib.loads((folder / "zh_CN" / name).read_text(encoding="utf-8"))
    assert chinese["recurrence"] == english["recurrence"]
    assert chinese.get("due_time") == english.get("due_time")
    assert [(s["id"], s.get("check"), s.get("params")) for s in chinese["steps"]] == \
        [(s["id"], s.get("check"), s.get("params")) for s in english["steps"]]


LEAKS_ALLOWED = ("姓名", "通讯录权限范围", "邮箱")
"""Chinese kept in English messages on purpose: the roster's Chinese column headers that
are accepted, and the label of Feishu's console setting to look for."""


def test_no_chinese_word_leaks_into_english_messages() -> None:
    from tests.test_catalog import _code_messages

    leaking = [text for message in _code_messages()
               for text in ((message,) if isinstance(message, str) else message)
               if any("\u4e00" <= char <= "\u9fff" for char in text)
               and not any(allowed in text for allowed in LEAKS_ALLOWED)]
    assert leaking == []


ROLLOUTS = resources.files("pmcockpit.templates") / "rollouts"


@pytest.mark.parametrize("name", ["adoption.toml", "upgrade.toml", "change.toml"])
def test_a_chinese_phase_plan_has_the_english_ones_phases_and_gates(name: str) -> None:
    english = tomllib.loads((ROLLOUTS / name).read_text(encoding="utf-8"))
    chinese = tomllib.loads((ROLLOUTS / "zh_CN" / name).read_text(encoding="utf-8"))
    assert chinese["kind"] == english["kind"]

    def shape(plan: dict[str, object]) -> list[object]:
        phases = plan["phases"]
        assert isinstance(phases, list)
        return [(p["id"], p["weeks"], p.get("needs_rollback_plan"),
                 [(g["id"], g.get("check"), g.get("params")) for g in p.get("gates", [])])
                for p in phases]

    assert shape(chinese) == shape(english)


def test_the_phase_plans_speak_chinese(chinese: None, tmp_path: Path) -> None:
    from pmcockpit.services.rollout_plans import load_plans

    plans = load_plans(Settings(templates_dir=str(tmp_path / "checklists"))).plans
    assert plans["adoption"].name == "工具推广"
    assert [phase.title for phase in plans["upgrade"].phases] == ["计划", "测试", "上线", "验证"]
