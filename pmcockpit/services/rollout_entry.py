"""What the Rollout screen's forms typed, read into values the rollout service takes.

Each reader refuses with a message naming the field and the expected form, so a
typo is shown and nothing is saved.
"""

from __future__ import annotations

from datetime import date

from pmcockpit.core.i18n import _
from pmcockpit.services.rollout import RolloutRefused

Teams = tuple[tuple[str, str | None, int | None], ...]


def day(text: str, field: str, *, required: bool = False) -> date | None:
    """A date written YYYY-MM-DD; None for an empty optional field."""
    cleaned = text.strip()
    if not cleaned and not required:
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise RolloutRefused(_("{field}: write the date as YYYY-MM-DD, not {text!r}").format(
            field=field, text=cleaned)) from None


def count(text: str, field: str, *, required: bool = False) -> int | None:
    """A whole number of people, 0 or more; None for an empty optional field."""
    cleaned = text.strip()
    if not cleaned and not required:
        return None
    if not cleaned.isdigit():
        raise RolloutRefused(_("{field}: a whole number of people, not {text!r}").format(
            field=field, text=cleaned))
    return int(cleaned)


def teams(text: str) -> Teams:
    """"Finance, PMO:Project office": teams by name, each measured from the synced group
    of the same name, or of the name after a colon."""
    found = []
    for part in text.split(","):
        name, _colon, group = part.partition(":")
        if not name.strip():
            if part.strip():
                raise RolloutRefused(_("teams: a team name comes before the colon, as in "
                                       "Finance:Finance department"))
            continue
        found.append((name.strip(), group.strip() or name.strip(), None))
    return tuple(found)
