"""The demo in zh-CN at 80x24, walked area by area: no English word left on screen.

Runs only in a process that speaks Chinese from its first import (the screens translate
their keys and titles at import): tests/app/test_zh_layout.py starts one. An English word
is three or more ASCII letters in a row; names that stay as they are in Chinese (the
tools, logins, keys, units) are allowed.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from pmcockpit.app import CockpitApp
from pmcockpit.config import Settings
from pmcockpit.services.demo import DEMO_OPERATOR, open_demo
from pmcockpit.storage.db import Database
from pmcockpit.storage.models import Account
from tests.app.helpers import settle

pytestmark = pytest.mark.skipif(
    os.environ.get("PMCOCKPIT_TEST_LANGUAGE") != "zh_CN",
    reason="runs in its own zh_CN process (tests/app/test_zh_layout.py)")

AREAS = {"1": "home", "2": "checklist", "3": "permissions", "4": "queue", "5": "rollout",
         "6": "connections", "7": "audit", "question_mark": "help"}
ALLOWED = {
    # tools, products and protocols, as Chinese administrators write them
    "pmcockpit", "redmine", "jira", "gitlab", "zentao", "feishu", "dingtalk", "slack",
    "sla", "erp", "crm", "smtp", "pdf", "api", "ldap", "sso", "pmo", "wiki", "chrome", "url",
    "windows", "runner", "cms", "ios", "sql", "backup", "pmsupport", "pilot",
    "example", "org",  # the demo's e-mail addresses
    # keys and units
    "enter", "escape", "esc", "tab", "super", "ctrl", "shift", "space", "del", "home", "end",
    "pgup", "pgdn", "up", "down", "left", "right", "p90", "utc",
    # the help's binding ids (for remapping in the config)
    "app", "panel", "area", "open", "copy", "refresh", "quit", "help", "sync", "checklist",
    "permissions", "queue", "rollout", "connections", "audit", "command", "palette",
    "reconcile", "undo", "verify",
    # the tools' own data: GitLab's built-in root account is named so, URLs of the simulator
    "administrator", "http", "https", "sim",
    "support",  # the demo's GitLab project admin/pm-support, in its ticket keys
}
"""Lower case. Logins, e-mail addresses and ticket keys of the demo are allowed too."""
WORD = re.compile(r"[A-Za-z]{3,}(?!…|[A-Za-z])")
"""Not a word cut with an ellipsis: "全员使用 Red…" is a longer name in a narrow column."""


def _screen_text(app: CockpitApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _identifiers(db: Database) -> set[str]:
    with db.session() as session:
        logins = {login.lower() for login in session.scalars(select(Account.login))}
    logins.add(DEMO_OPERATOR)
    return {part for login in logins for part in WORD.findall(login)}


async def _walk(app: CockpitApp, allowed: set[str]) -> dict[str, set[str]]:
    """The English words left on each area's screen."""
    english: dict[str, set[str]] = defaultdict(set)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, area in AREAS.items():
            await pilot.press(key)
            await settle(pilot)
            text = _screen_text(app)
            assert "pmcockpit" in text, area
            words = {w for w in WORD.findall(text) if w.lower() not in allowed}
            if words:
                english[area] = words
    return dict(english)


def test_every_area_of_the_demo_in_chinese_has_no_english_left(db: Database) -> None:
    with open_demo(db, Settings(operator="someone"), scale=60) as workspace:
        allowed = ALLOWED | _identifiers(db)
        assert asyncio.run(_walk(CockpitApp(workspace), allowed)) == {}
