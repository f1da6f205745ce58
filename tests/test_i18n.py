"""Translation: Babel finds the messages, their placeholders are named and match, and a
catalog really changes what the screens and the command line say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from click.testing import CliRunner

from pmcockpit.cli import main
from pmcockpit.core.i18n import DOMAIN, _, use_language
from pmcockpit.widgets.checklist_items import failures_detail, overview_lead

ROOT = Path(__file__).resolve().parent.parent

PRINTF = re.compile(r"%(\([A-Za-z_]\w*\))?[-#0+]*\d*(\.\d+)?[sdifrxXeEgGc]")


def _extracted() -> list[str | tuple[str, ...]]:
    """The messages of the package as ``pybabel extract -F babel.cfg .`` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        # Babel's own reader of babel.cfg, untyped.
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            config, filename="babel.cfg")
    return [message for _file, _line, message, _comments, _context
            in extract_from_dir(ROOT, method_map, options_map)]


@pytest.fixture(scope="module")
def messages() -> list[str | tuple[str, ...]]:
    return _extracted()


def _fields(message: str) -> set[str]:
    return {field for _lit, field, _spec, _conv in Formatter().parse(message)
            if field is not None}


def _singles(messages: list[str | tuple[str, ...]]) -> set[str]:
    return {text for message in messages
            for text in ((message,) if isinstance(message, str) else message)}


def test_the_screens_and_the_cli_are_extracted(messages: list[str | tuple[str, ...]]) -> None:
    texts = _singles(messages)
    # A checklist key's description and tooltip, a CLI option's and a command's help,
    # a check's evidence, and a plural pair.
    assert "History" in texts
    assert "Past runs of the highlighted checklist, with its on-time rate" in texts
    assert "Refuse every write to a connected tool." in texts
    assert "Check template FILES: every mistake with its file, line and what to fix (exit 1)." \
        in texts
    assert "{connection}: unreachable" in texts
    assert ("{count} checklist", "{count} checklists") in messages
    assert len(texts) > 300


def test_placeholders_are_named(messages: list[str | tuple[str, ...]]) -> None:
    bad = []
    for text in _singles(messages):
        fields = _fields(text)
        if PRINTF.search(text) or any(not field.isidentifier() for field in fields):
            bad.append(text)
    assert bad == []


def test_plural_pairs_have_the_same_placeholders(messages: list[str | tuple[str, ...]]) -> None:
    pairs = [message for message in messages if isinstance(message, tuple)]
    assert pairs
    assert [pair for pair in pairs if _fields(pair[0]) != _fields(pair[1])] == []


@pytest.fixture
def english_after() -> Iterator[None]:
    yield
    use_language("en")


def _catalog(locale_dir: Path) -> None:
    """A tiny zh_CN catalog with a sentence and a plural of the checklist screen and a CLI
    message."""
    catalog = Catalog(locale="zh_CN", domain=DOMAIN)
    catalog.add("No failed step in this period.", "本周期没有失败的步骤。")
    catalog.add(("{count} checklist", "{count} checklists"), ("{count} 个清单",))
    catalog.add("add --auto to run the automated steps; manual steps are ticked in the cockpit",
                "加上 --auto 运行自动步骤；手动步骤在驾驶舱中勾选")
    catalog.add("Error: {message}", "错误：{message}")
    target = locale_dir / "zh_CN" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{DOMAIN}.mo").open("wb") as mo:
        write_mo(mo, catalog)


@pytest.mark.usefixtures("english_after")
def test_an_unknown_language_falls_back_to_english(tmp_path: Path) -> None:
    _catalog(tmp_path)
    use_language("xx", tmp_path)
    assert failures_detail([]).plain == "No failed step in this period."
    assert _("Refresh") == "Refresh"


@pytest.mark.usefixtures("english_after")
def test_a_catalog_translates_screens_and_cli(tmp_path: Path) -> None:
    _catalog(tmp_path)
    use_language("zh-CN", tmp_path)
    assert failures_detail([]).plain == "本周期没有失败的步骤。"
    assert overview_lead([]).plain == "0 个清单"
    result = CliRunner().invoke(main, ["--db", "sqlite://", "checklist", "run", "daily"])
    assert result.exit_code == 2
    assert "错误：加上 --auto 运行自动步骤；手动步骤在驾驶舱中勾选" in result.output

    use_language("en")
    assert failures_detail([]).plain == "No failed step in this period."
    assert overview_lead([]).plain == "0 checklists"
