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
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

DOMAIN = "pmcockpit"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
LANGUAGES = ("en", "zh-CN")
"""The languages the cockpit speaks (``language`` in the config)."""
ENV_VARIABLES = ("PMCOCKPIT_LANG", "LC_ALL", "LANG")
"""Where the language comes from when the config names none, first found wins."""

_translation: gettext.NullTranslations = gettext.NullTranslations()
_locale = "en"


def locale_name(language: str) -> str:
    """``zh-CN``, ``zh_CN.UTF-8`` -> ``zh_CN``; ``C``, ``POSIX`` -> ``en``."""
    name = language.split(".")[0].split("@")[0].replace("-", "_")
    return "en" if name in ("", "C", "POSIX") else name


def choose_language(configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The config's ``language``, else ``PMCOCKPIT_LANG``, else ``LC_ALL``/``LANG``; ``en``."""
    environ = os.environ if environ is None else environ
    for value in (configured, *(environ.get(name) for name in ENV_VARIABLES)):
        if value:
            return value
    return "en"


def use_language(language: str | None, locale_dir: Path = LOCALE_DIR) -> None:
    """Translate from now on into ``language`` (``en``, ``zh-CN``, ``zh_CN.UTF-8``).

    English when there is no catalog for it; ``None`` picks the language from the
    environment (:func:`choose_language`).
    """
    global _translation, _locale
    name = locale_name(language or choose_language(None))
    _translation = gettext.translation(DOMAIN, locale_dir, languages=[name], fallback=True)
    found = gettext.find(DOMAIN, locale_dir, languages=[name])
    _locale = name if found else "en"


def current_locale() -> str:
    """The locale the messages are in now (``en``, ``zh_CN``), for Babel's formats."""
    return _locale


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or the (language's) plural form for ``count``."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message


def format_moment(moment: datetime) -> str:
    """A naive UTC moment in local time, the language's way (2026年12月2日 08:00)."""
    local = moment.replace(tzinfo=UTC).astimezone()
    return f"{format_day(local.date())} {local:%H:%M}"


def format_day(day: date, *, with_year: bool = True) -> str:
    """A day the language's way: "2 Dec 2026" / "Wed 2 Dec"; "2026年12月2日" / "12月2日周三"."""
    if _locale == "en":
        return day.strftime("%-d %b %Y" if with_year else "%a %-d %b")
    from babel.dates import format_date, format_skeleton

    if with_year:
        return format_date(day, "long", locale=_locale)
    return format_skeleton("MMMEd", day, locale=_locale)


def format_ago(delta: timedelta) -> str:
    """How long ago, the language's way: "3 days ago", "3天前"."""
    from babel.dates import format_timedelta

    return format_timedelta(-delta, add_direction=True, locale=_locale)


def format_month(month: date) -> str:
    """A month the language's way: "October 2026", "2026年10月"."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", month, locale=_locale)
