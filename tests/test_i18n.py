"""Translation: Babel finds the messages, their placeholders are named and match, and a
catalog really changes what the screens and the command line say."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from click.testing import CliRunner
from rich.cells import cell_len

from pmcockpit.cli import main
from pmcockpit.commands.context import pad
from pmcockpit.commands.sync import _echo_report
from pmcockpit.core.i18n import _
from pmcockpit.services.sync import SyncReport
from pmcockpit.widgets.checklist_items import cut, failures_detail, overview_lead
from pmcockpit.widgets.sentence import sentence
from tests.catalogs import speaking, write_catalog

ROOT = Path(__file__).resolve().parent.parent

_SHOWN: dict[str, tuple[int | str, ...]] = {
    "notify": (0, "message", "title"), "Binding": (2, "description"),
    "echo": (0, "message"), "secho": (0, "message"), "UsageError": (0, "message"),
    "ClickException": (0, "message"), "BadParameter": (0, "message"),
    "Static": (0, "content"), "Label": (0, "content"), "Button": (0, "label"),
    "work": ("description",), "option": ("help",), "command": ("help", "short_help"),
    "group": ("help", "short_help"),
}
"""Calls whose text reaches the user, with the positions and keywords that hold it."""
_WORD = re.compile(r"[^\W\d_]")
"""A letter of any script: a literal without one (a mark, "", "…", "✓") needs no catalog."""

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


def _catalog(locale_dir: Path) -> None:
    """A sentence and a plural of the checklist screen, and a CLI message."""
    write_catalog(locale_dir, {
        "No failed step in this period.": "本周期没有失败的步骤。",
        ("{count} checklist", "{count} checklists"): ("{count} 个清单",),
        "add --auto to run the automated steps; manual steps are ticked in the cockpit":
            "加上 --auto 运行自动步骤；手动步骤在驾驶舱中勾选",
        "Error: {message}": "错误：{message}",
    })


def test_an_unknown_language_falls_back_to_english(tmp_path: Path) -> None:
    _catalog(tmp_path)
    with speaking("xx", tmp_path):
        assert failures_detail([]).plain == "No failed step in this period."
        assert _("Refresh") == "Refresh"


def test_a_catalog_translates_screens_and_cli(tmp_path: Path) -> None:
    _catalog(tmp_path)
    with speaking("zh-CN", tmp_path):
        assert failures_detail([]).plain == "本周期没有失败的步骤。"
        assert overview_lead([]).plain == "0 个清单"
        result = CliRunner().invoke(main, ["--db", "sqlite://", "checklist", "run", "daily"])
        assert result.exit_code == 2
        assert "错误：加上 --auto 运行自动步骤；手动步骤在驾驶舱中勾选" in result.output

    assert failures_detail([]).plain == "No failed step in this period."
    assert overview_lead([]).plain == "0 checklists"


@pytest.mark.parametrize("width", [4, 5, 6, 7, 12])
def test_cut_and_pad_count_terminal_cells(width: int) -> None:
    # A Chinese character takes two cells: cut and padded text keeps its column's width.
    name = "每日巡检清单"  # 12 cells
    assert cell_len(cut(name, width)) == width
    assert cut(name, width).endswith("…") == (width < 12)
    assert cell_len(pad("逾期", width)) == max(width, 4)


def test_a_styled_part_follows_the_translations_word_order() -> None:
    text = sentence("正在检查 {index}/{total}：{title}…", index=2, total=6,
                    title=("Backups", "bold"))
    assert text.plain == "正在检查 2/6：Backups…"
    [span] = text.spans
    assert text.plain[span.start:span.end] == "Backups" and span.style == "bold"


def _literal(node: ast.expr) -> str | None:
    """The text of a string literal or of an f-string's literal parts; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values
                       if isinstance(part, ast.Constant) and isinstance(part.value, str))
    return None


def _docstring_help(node: ast.AST) -> list[tuple[int, str]]:
    """A click command or group whose help is its docstring: click shows it untranslated."""
    if not isinstance(node, ast.FunctionDef) or ast.get_docstring(node) is None:
        return []
    for decorator in node.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        keywords = decorator.keywords if isinstance(decorator, ast.Call) else []
        if name in ("command", "group") and not any(k.arg == "help" for k in keywords):
            return [(node.lineno, ast.get_docstring(node) or "")]
    return []


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) of each literal with words handed straight to a call that shows it.

    ``notify("Saved")``, ``Binding("s", "save", "Save")``, ``click.echo(f"{n} saved")``,
    ``Static("Hello")``, ``@work(description="Reading")`` or a click command's docstring
    is English forever: the text must go through ``_()``/``ngettext()`` (or ``N_()``
    where it is built at import; a command's help through ``help=_(...)``).
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        found += _docstring_help(node)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        spots = _SHOWN.get(name or "", ())
        shown = [arg for index, arg in enumerate(node.args) if index in spots]
        shown += [keyword.value for keyword in node.keywords if keyword.arg in spots]
        for arg in shown:
            text = _literal(arg)
            if text is not None and _WORD.search(text):
                found.append((node.lineno, text))
    return sorted(found)


def test_the_scan_finds_a_literal_shown_untranslated() -> None:
    source = """
self.notify("Saved")
self.notify(_("Saved"), title="Sync")
Binding("s", "save", "Save")
click.echo(f"{count} saved")
raise click.UsageError("no such connection")
yield Static("Hello")
@work(description="Reading")
def read(): ...
self.notify(_("Saved"), title=_("Sync"))
Binding("s", "save", N_("Save"), id="save")
click.echo(_("{count} saved").format(count=count))
click.echo(str(error))
yield Static("")
yield Static("✓ …")
yield Label(ngettext("{count} step", "{count} steps", n).format(count=n))
@audit.command()
def verify():
    '''Check the log.'''
@audit.command(help=_("Check the log."))
def verify_again():
    '''Not the help: an internal note.'''
"""
    assert [line for line, _text in untranslated(source)] == [2, 3, 4, 5, 6, 7, 8, 18]


@pytest.mark.parametrize("folder", ["screens", "widgets", "commands"])
def test_screens_widgets_and_commands_show_no_untranslated_literal(folder: str) -> None:
    found = {f"{path.name}:{line}": text
             for path in sorted((ROOT / "pmcockpit" / folder).glob("*.py"))
             for line, text in untranslated(path.read_text(encoding="utf-8"))}
    assert found == {}


def test_a_sync_report_counts_each_kind_as_its_own_plural(
        capsys: pytest.CaptureFixture[str]) -> None:
    report = SyncReport("prod", 1.25, {"accounts": 1, "groups": 3, "tickets": 0})
    _echo_report(report, quiet=False)
    assert capsys.readouterr().out == "prod: synced in 1.2s: 1 account, 3 groups, 0 tickets\n"
