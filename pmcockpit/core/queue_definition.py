"""What forms the support queue of one connection, as ``queue.*`` connection options.

Redmine: ``queue.project`` (identifier or id, subprojects included), ``queue.tracker``
(id) and ``queue.query_id`` (a saved query); Jira: ``queue.jql``; GitLab:
``queue.project`` (path or id) and ``queue.labels`` (comma-separated, all required).
``queue.resolve_status`` names the status "resolve" moves a ticket to. Without any,
every ticket the token can see is in the queue.
"""

from __future__ import annotations

from collections.abc import Mapping

from pmcockpit.core.i18n import _

PREFIX = "queue."
KEYS: Mapping[str, tuple[str, ...]] = {
    "redmine": ("project", "tracker", "query_id", "resolve_status"),
    "jira": ("jql", "resolve_status"),
    "gitlab": ("project", "labels", "resolve_status"),
}
NUMERIC = frozenset({("redmine", "tracker"), ("redmine", "query_id")})


def queue_definition(options: Mapping[str, str]) -> dict[str, str]:
    """The ``queue.*`` options without their prefix, empty ones left out."""
    return {k[len(PREFIX):]: str(v) for k, v in options.items()
            if k.startswith(PREFIX) and str(v).strip()}


def check_option(kind: str, key: str, value: str) -> str | None:
    """Why ``key`` (``queue.…``) cannot be set to ``value`` on a ``kind`` tool; None if it can."""
    name = key[len(PREFIX):] if key.startswith(PREFIX) else None
    known = KEYS.get(kind, ())
    if name not in known:
        return _("{kind} queues know {keys}").format(
            kind=kind, keys=", ".join(PREFIX + k for k in known))
    if (kind, name) in NUMERIC and value and not value.isdigit():
        return _("{key} takes a number, not {value!r}").format(key=key, value=value)
    return None
