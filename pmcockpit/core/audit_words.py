"""An audit entry's stored words as the screen says them: its state ("succeeded",
"intent"), its action kind ("lock-user") and its target ("alice (user 37)"). The log
keeps the words as they were written (its chain is keyed on them); only the label is
translated. A word not known here is shown as it was stored."""

from __future__ import annotations

import re

from pmcockpit.core.actions import ActionKind, title_for
from pmcockpit.core.i18n import N_, _

_STATES = {
    "succeeded": N_("succeeded"),
    "failed": N_("failed"),
    "refused": N_("refused"),
    "intent": N_("intent"),
}

_TARGETS = {
    "user": N_("user"),
    "membership": N_("membership"),
    "group": N_("group"),
    "project": N_("project"),
    "ticket": N_("ticket"),
}

_TARGET = re.compile(r"^(?:(?P<label>.*) \()?(?P<what>[a-z]+) (?P<id>[^ ()]+)(?(label)\))$",
                     re.DOTALL)
"""What services.actions.target_text writes: "alice (user 37)" or "user 37"."""


def state_word(state: str) -> str:
    """"succeeded" as the language says it."""
    label = _STATES.get(state)
    return _(label) if label else state


def action_word(kind: str) -> str:
    """The action's title ("Lock user") for its stored kind ("lock-user")."""
    try:
        return title_for(ActionKind(kind))
    except ValueError:
        return kind


def reconciled_line(intent: int, kind: str, note: str) -> str:
    """"#6 Lock user: still in doubt: …", what became of an action left in doubt."""
    return _("#{intent} {action}: {note}").format(intent=intent, action=action_word(kind),
                                                   note=note)


def target_words(target: str) -> str:
    """"alice (user 37)" with "user" in the language; another text as it is."""
    found = _TARGET.match(target)
    what = _TARGETS.get(found["what"]) if found else None
    if found is None or what is None:
        return target
    named = _("{what} {id}").format(what=_(what), id=found["id"])
    if found["label"] is None:
        return named
    return _("{label} ({named})").format(label=found["label"], named=named)
