"""The zh-CN snapshots (tests/app/test_zh_snapshots.py) in a process of their own that
speaks Chinese from its first import, and the CLI's --help in Chinese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _run(args: list[str], language: str | None = None,
         extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMCOCKPIT_")}
    env |= {"PMCOCKPIT_CONFIG": "/nonexistent/config.toml", **(extra or {})}
    if language:
        env["PMCOCKPIT_TEST_LANGUAGE"] = language
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_every_area_in_chinese_matches_its_snapshot() -> None:
    done = _run(["-m", "pytest", "tests/app/test_zh_snapshots.py", "-q", "-p",
                 "no:cacheprovider", "-o", "addopts="], language="zh_CN")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "9 passed" in done.stdout


def test_the_demo_in_chinese_walks_every_area_with_no_english_left() -> None:
    done = _run(["-m", "pytest", "tests/app/test_zh_demo_walk.py", "-q", "-p",
                 "no:cacheprovider", "-o", "addopts="], language="zh_CN")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout


def test_the_help_is_in_chinese_with_lang_or_the_environment() -> None:
    by_option = _run(["-m", "pmcockpit", "--lang", "zh-CN", "--help"])
    assert by_option.returncode == 0, by_option.stderr
    assert "项目管理工具管理员的驾驶舱" in by_option.stdout
    assert "把已连接工具的用户、项目和工单同步到数据库。" in by_option.stdout
    by_env = _run(["-m", "pmcockpit", "checklist", "run", "--help"],
                  extra={"LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    assert "运行 TEMPLATE 在当前周期的自动检查并记录结果。" in by_env.stdout
    english = _run(["-m", "pmcockpit", "--help"], extra={"LANG": "C.UTF-8", "LC_ALL": ""})
    assert "the administrator's cockpit" in english.stdout
