"""What forms the support queue of one connection, as ``queue.*`` connection options.

Redmine: ``queue.project`` (identifier or id, subprojects included), ``queue.tracker``
(id) and ``queue.query_id`` (a saved query); Jira: ``queue.jql``; GitLab:
``queue.project`` (path or id) and ``queue.labels`` (comma-separated, all required).
ZenTao: ``queue.kinds``, which of its objects are tickets (``bugs``, ``stories``,
``tasks``, comma-separated; bugs alone by default).
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
    "zentao": ("kinds", "resolve_status"),
}
ZENTAO_KINDS = ("bugs", "stories", "tasks")
"""What ZenTao's open-source API v1 lists and changes (bugs.php, stories.php, tasks.php)."""
ZENTAO_DEFAULT_KINDS = ("bugs",)
ZENTAO_ABSENT = {
    "feedback": _("ZenTao's feedback (api/v1 feedbacks.php) calls the feedback module of the "
                  "paid Biz and Max editions; the open-source API v1 pmcockpit speaks has none"),
    "tickets": _("ZenTao's tickets belong to the paid Biz and Max editions; the "
                 "open-source API v1 pmcockpit speaks has none"),
}
ZENTAO_ABSENT["feedbacks"] = ZENTAO_ABSENT["feedback"]
ZENTAO_ABSENT["ticket"] = ZENTAO_ABSENT["tickets"]
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
    if (kind, name) == ("zentao", "kinds") and value:
        return zentao_kinds_problem(value)
    return None


def _kind_words(value: str) -> list[str]:
    return [w.strip().casefold() for w in value.split(",") if w.strip()]


def zentao_kinds_problem(value: str) -> str | None:
    """Why ``queue.kinds`` cannot be ``value`` on ZenTao; None if it can."""
    for word in _kind_words(value):
        if word in ZENTAO_ABSENT:
            return _("queue.kinds: {reason}").format(reason=ZENTAO_ABSENT[word])
        if word not in ZENTAO_KINDS:
            return _("queue.kinds: ZenTao tickets are {kinds}, not {word!r}").format(
                kinds=", ".join(ZENTAO_KINDS), word=word)
    return None


def zentao_kinds(queue: Mapping[str, str]) -> tuple[str, ...]:
    """The ZenTao kinds a queue definition asks for (bugs alone without ``kinds``)."""
    words = _kind_words(queue.get("kinds", ""))
    return tuple(k for k in ZENTAO_KINDS if k in words) or ZENTAO_DEFAULT_KINDS
