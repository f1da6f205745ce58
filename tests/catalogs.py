"""Tiny translation catalogs compiled in a test's folder, and a language for one block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from pmcockpit.core.i18n import DOMAIN, use_language

Message = str | tuple[str, str]
"""A message, or a singular and plural pair."""


def write_catalog(locale_dir: Path, translations: dict[Message, str | tuple[str, ...]]) -> None:
    """A zh_CN catalog of ``translations``, compiled where :func:`use_language` finds it."""
    catalog = Catalog(locale="zh_CN", domain=DOMAIN)
    for message, translation in translations.items():
        catalog.add(message, translation)
    target = locale_dir / "zh_CN" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{DOMAIN}.mo").open("wb") as mo:
        write_mo(mo, catalog)


@contextmanager
def speaking(language: str, locale_dir: Path) -> Iterator[None]:
    """Translate into ``language`` inside the block; English again after it, whatever happens."""
    use_language(language, locale_dir)
    try:
        yield
    finally:
        use_language("en")
