"""The shipped catalogs are complete: every message the code has is translated, with the
same placeholders, the right number of plural forms, and the compiled .mo is current.

After adding strings run ``scripts/update-catalog`` (extract, update, compile): this test
then lists what is left to translate.
"""

from __future__ import annotations

import gettext
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from pmcockpit.core.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh_CN"]


def _code_messages() -> set[str | tuple[str, str]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            config, filename="babel.cfg")
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


@pytest.fixture(scope="module")
def code_messages() -> set[str | tuple[str, str]]:
    return _code_messages()


def _catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=language)


def _strings(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


def _fields(text: str) -> list[tuple[str, str, str | None]]:
    return sorted({(field, spec, conversion)
                   for _lit, field, spec, conversion in Formatter().parse(text)
                   if field is not None and spec is not None})


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str,
                                     code_messages: set[str | tuple[str, str]]) -> None:
    assert len(code_messages) > 1000
    catalog = _catalog(language)
    missing = []
    for message in sorted(code_messages, key=str):
        key = message if isinstance(message, str) else message[0]
        entry = catalog.get(key)
        strings = () if entry is None else _strings(entry.string)
        if not strings or not all(strings):
            missing.append(message)
    assert missing == [], (f"{len(missing)} untranslated: run scripts/update-catalog and "
                           "translate them in the .po")


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_and_plurals_have_the_languages_forms(language: str) -> None:
    catalog = _catalog(language)
    assert catalog.num_plurals == (1 if language.startswith("zh") else 2)
    bad = []
    for entry in catalog:
        if not entry.id:
            continue
        sources = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = list(_strings(entry.string))
        if entry.pluralizable and len(strings) != catalog.num_plurals:
            bad.append((sources[0], "plural forms"))
        wanted = _fields(sources[-1])
        bad += [(sources[0], text) for text in strings if text and _fields(text) != wanted]
    assert bad == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_current(language: str) -> None:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.mo").open("rb") as mo:
        compiled = read_mo(mo)
    source = _catalog(language)
    stale = [entry.id for entry in source if entry.id and (
        compiled.get(entry.id) is None
        or _strings(compiled[entry.id].string) != _strings(entry.string))]
    assert stale == [], "run scripts/update-catalog to compile the catalog"
    translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    assert translation.ngettext("{count} checklist", "{count} checklists", 5) == "{count} 个清单"


def test_the_catalog_ships_in_the_package() -> None:
    # Hatch packs every file under pmcockpit/ that git does not ignore.
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert ".mo" not in ignored
    assert LOCALE_DIR == ROOT / "pmcockpit" / "locale"
