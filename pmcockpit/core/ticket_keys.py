"""How the queue names a ticket, so that screen and CLI name it the same way.

Redmine numbers issues per server ("#12"): the connection's name goes in front
("rm#12"). Jira ("SUP-7") and GitLab ("ops/desk#4") keys already say their project.
"""

from __future__ import annotations


def display_key(connection: str, key: str) -> str:
    return f"{connection}{key}" if key.startswith("#") else key


def split_key(name: str, connections: set[str]) -> tuple[str | None, str]:
    """(connection, the tool's key) for a display key; connection None when not implied."""
    head, sep, tail = name.strip().partition("#")
    if sep and head in connections and tail.isdigit():
        return head, f"#{tail}"
    return None, name.strip()
