"""The queue's filter, typed as one line: free words plus ``field:value`` terms.

``sla:breached tool:rm status:New priority:High assignee:alice vpn`` keeps the tickets
whose clocks include a breached one, from connection ``rm``, ... whose text has "vpn".
A value with spaces goes in quotes: ``status:"In Progress"``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

FIELDS = ("status", "priority", "tool", "assignee", "sla")
SLA_STATES = ("breached", "at risk", "paused", "running", "met")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    text: str = ""
    status: str = ""
    priority: str = ""
    tool: str = ""
    assignee: str = ""
    sla: str = ""
    """One of :data:`SLA_STATES`, or "" for all."""
    include_closed: bool = False


def parse_filter(line: str) -> QueueFilter:
    """The filter a line says; a term it does not know is searched as text."""
    try:
        words = shlex.split(line)
    except ValueError:  # an unclosed quote while typing: read it as it stands
        words = line.split()
    terms: dict[str, str] = {}
    text: list[str] = []
    for word in words:
        name, sep, value = word.partition(":")
        name = name.lower()
        value = value.strip("\"'")
        if sep and name in FIELDS and value:
            if name == "sla":
                value = value.replace("-", " ").replace("_", " ").lower()
                if value not in SLA_STATES:
                    text.append(word)
                    continue
            terms[name] = value
        else:
            text.append(word)
    return QueueFilter(" ".join(text), terms.get("status", ""), terms.get("priority", ""),
                       terms.get("tool", ""), terms.get("assignee", ""), terms.get("sla", ""))


def describe_filter(wanted: QueueFilter) -> str:
    """The line that gives ``wanted`` back (for the input after a key sets a term)."""
    terms = [f'{name}:"{value}"' if " " in value else f"{name}:{value}"
             for name in FIELDS if (value := getattr(wanted, name))]
    return " ".join([*terms, wanted.text] if wanted.text else terms)
