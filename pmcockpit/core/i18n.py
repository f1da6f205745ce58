"""Translation: every user-visible string goes through :func:`_` or :func:`ngettext`.

English is the source language; catalogs for other languages live in
``pmcockpit/locale/<lang>/LC_MESSAGES/pmcockpit.mo`` and are extracted with Babel
(``pybabel extract -F babel.cfg -o pmcockpit/locale/pmcockpit.pot pmcockpit``).

Rules that keep strings translatable:
- whole sentences with named placeholders, formatted after translation:
  ``_("Locked {login} in {tool}").format(login=..., tool=...)``; never words
  glued together, since word order differs between languages;
- counts through :func:`ngettext`, which picks the language's plural form;
- strings needed at import time (binding descriptions, class attributes) are
  marked with :func:`N_` and translated where they are shown, or translated by
  :func:`_` at import, which is fine as long as the language is chosen before
  the module is imported (the CLI does that first).
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "pmcockpit"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def use_language(language: str | None) -> None:
    """Translate from now on into ``language`` (``en``, ``zh_CN``); English when it has none."""
    global _translation
    languages = [language.replace("-", "_")] if language else None
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=languages, fallback=True)


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or the (language's) plural form for ``count``."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message
