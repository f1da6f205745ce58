"""Translation: every user-visible string goes through :func:`_` or :func:`ngettext`.

English is the source language; catalogs for other languages live in
``pmcockpit/locale/<lang>/LC_MESSAGES/pmcockpit.mo``. The messages are extracted
with Babel from the repository's root (``babel.cfg`` names the keywords ``_``,
``ngettext:1,2`` and ``N_``)::

    pybabel extract -F babel.cfg -o pmcockpit/locale/pmcockpit.pot .

``tests/test_i18n.py`` runs the same extraction and checks the placeholders.

Rules that keep strings translatable:
- whole sentences with named placeholders, formatted after translation:
  ``_("Locked {login} in {tool}").format(login=..., tool=...)``; never words
  glued together, since word order differs between languages;
- counts through :func:`ngettext`, which picks the language's plural form;
- strings needed at import time (binding descriptions, class attributes) are
  marked with :func:`N_` and translated where they are shown, or translated by
  :func:`_` at import (key bindings, area titles, click help texts), which is
  right as long as the language is chosen before those modules are imported: the
  entry point must call :func:`use_language` first;
- a sentence with styled parts is translated whole and styled where the parts land
  (``pmcockpit.widgets.sentence``);
- widths are measured in terminal cells (``rich.cells.cell_len``), never ``len``:
  a Chinese character takes two.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "pmcockpit"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def use_language(language: str | None, locale_dir: Path = LOCALE_DIR) -> None:
    """Translate from now on into ``language`` (``en``, ``zh-CN``, ``zh_CN``).

    English when there is no catalog for it; ``None`` picks the language from the
    environment (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``).
    """
    global _translation
    languages = [language.replace("-", "_")] if language else None
    _translation = gettext.translation(DOMAIN, locale_dir, languages=languages, fallback=True)


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or the (language's) plural form for ``count``."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message
