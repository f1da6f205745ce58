"""The alerts: notifiers kept (secrets in the keyring), and problems sent to them once.

A notifier's webhook URL (it carries the platform's token), its signing secret and an
SMTP password live in the keyring under ``alert-<NAME>`` and ``alert-<NAME>-secret``
(or ``PMCOCKPIT_TOKEN_ALERT_<NAME>``...), never in the config, the database or a log.

:func:`dispatch` sends each notifier ONE message with the alerts that are news to it
(a new problem, a changed one, or one whose reminder interval has passed) and records
every alert sent or tried: that record is what groups the repeats. Sending never
raises: a receiver that fails is retried, then reported in the returned deliveries.

Notifiers come from two places, merged by name: ``pmcockpit alert add`` (kept in the
database) and the config file's ``[alerts.NAME]`` tables, which win on a clash. Either
way the secrets are in the keyring: ``alert add`` for a declared name stores only them.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pmcockpit.connectors import notify
from pmcockpit.connectors.errors import ConnectorError
from pmcockpit.connectors.tokens import TokenStore
from pmcockpit.core.alerts import RESOLVED, Alert, is_due, message_body, message_title
from pmcockpit.core.clock import utcnow
from pmcockpit.core.i18n import _
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import alerts as store
from pmcockpit.storage.alerts import Notifier, NotifierExists, SentRow, UnknownNotifier

__all__ = ["ConnectorError", "Delivery", "Notifier", "NotifierExists", "NotifierSpec", "SentRow",
           "UnknownNotifier", "add_notifier", "dispatch", "list_notifiers", "remove_notifier",
           "resolve", "send_test", "sent_history"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class AlertSetupError(ValueError):
    """A notifier that cannot be added as given; the message says why."""


NotifierSpec = notify.Target
"""A notifier as the admin gives it: the same fields the sender uses (its repr keeps the
URL and secret out of logs)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    notifier: str
    alerts: int
    ok: bool
    attempts: int
    error: str = ""


def url_entry(name: str) -> str:
    return f"alert-{name}"


def secret_entry(name: str) -> str:
    return f"alert-{name}-secret"


def _check(spec: NotifierSpec) -> None:
    if not _NAME.match(spec.name):
        raise AlertSetupError(_("{name!r} is no notifier name: letters, digits, '-', '_' "
                                "and '.', at most 64").format(name=spec.name))
    if spec.kind not in notify.KINDS:
        raise AlertSetupError(_("unknown kind {kind!r}; one of {kinds}").format(
            kind=spec.kind, kinds=", ".join(notify.KINDS)))
    if spec.kind == "email":
        if not spec.to or not all(_EMAIL.match(address) for address in spec.to):
            raise AlertSetupError(_("an e-mail notifier needs --to with e-mail addresses"))
        if not spec.smtp_host:
            raise AlertSetupError(_("an e-mail notifier needs --smtp HOST[:PORT]"))
    elif not re.match(r"^https?://[^\s/]+", spec.url):
        raise AlertSetupError(_("{kind} needs --url with the webhook's http(s) address")
                              .format(kind=spec.kind))


def declared(workspace: Workspace) -> list[Notifier]:
    """The notifiers of the config file's ``[alerts.NAME]`` tables (checked at load)."""
    return [Notifier(name, str(table["kind"]), {k: v for k, v in table.items() if k != "kind"})
            for name, table in sorted(workspace.settings.alerts.items())]


def _notifiers(workspace: Workspace, session: Session) -> list[Notifier]:
    from_file = declared(workspace)
    names = {n.name for n in from_file}
    return sorted([*from_file, *(n for n in store.notifiers(session) if n.name not in names)],
                  key=lambda n: n.name)


def add_notifier(workspace: Workspace, spec: NotifierSpec, tokens: TokenStore | None = None
                 ) -> None:
    """Keep the notifier: its secrets in the keyring first, then its row (none when the
    config file declares it: only its secrets are kept)."""
    tokens = tokens or TokenStore()
    in_file = next((n for n in declared(workspace) if n.name == spec.name), None)
    if in_file is not None:
        _check(replace(spec, kind=in_file.kind, to=tuple(in_file.options.get("to", ())) or
                       spec.to, smtp_host=str(in_file.options.get("smtp_host", "")) or
                       spec.smtp_host))
        _keep_secrets(tokens, spec)
        return
    _check(spec)
    with workspace.db.session() as session:
        if any(n.name == spec.name for n in store.notifiers(session)):
            raise NotifierExists(_("there is already a notifier called {name}; remove it "
                                   "first").format(name=spec.name))
    _keep_secrets(tokens, spec)
    options: dict[str, object] = {}
    if spec.kind == "email":
        options = {"to": list(spec.to), "smtp_host": spec.smtp_host,
                   "smtp_port": spec.smtp_port, "sender": spec.sender,
                   "username": spec.username}
    with workspace.db.session() as session:
        store.add_notifier(session, spec.name, spec.kind, options)


def _keep_secrets(tokens: TokenStore, spec: NotifierSpec) -> None:
    if spec.url:
        tokens.set(url_entry(spec.name), spec.url)
    if spec.secret:
        tokens.set(secret_entry(spec.name), spec.secret)


def remove_notifier(workspace: Workspace, name: str, tokens: TokenStore | None = None) -> None:
    """Raises :class:`UnknownNotifier`, or :class:`AlertSetupError` for a notifier the
    config file declares; the keyring entries go with it."""
    if any(n.name == name for n in declared(workspace)):
        raise AlertSetupError(_("{name} is declared in the config file: remove its "
                                "[alerts.{name}] table there").format(name=name))
    with workspace.db.session() as session:
        store.remove_notifier(session, name)
    tokens = tokens or TokenStore()
    tokens.delete(url_entry(name))
    tokens.delete(secret_entry(name))


def list_notifiers(workspace: Workspace) -> list[Notifier]:
    with workspace.db.session() as session:
        return _notifiers(workspace, session)


def sent_history(workspace: Workspace, limit: int = 20) -> list[SentRow]:
    with workspace.db.session() as session:
        return store.history(session, limit)


def _secret(tokens: TokenStore, entry: str) -> str:
    return tokens.get(entry) if tokens.source(entry) else ""


def target_of(notifier: Notifier, tokens: TokenStore) -> notify.Target:
    """The notifier with its secrets from the keyring; ConnectorError when they are gone."""
    options = notifier.options
    url = "" if notifier.kind == "email" else tokens.get(url_entry(notifier.name))
    return notify.Target(
        notifier.name, notifier.kind, url=url,
        secret=_secret(tokens, secret_entry(notifier.name)),
        to=tuple(options.get("to", ())), smtp_host=str(options.get("smtp_host", "")),
        smtp_port=int(options.get("smtp_port", 587)), sender=str(options.get("sender", "")),
        username=str(options.get("username", "")))


@dataclass(frozen=True, slots=True)
class _Sending:
    attempts: int = notify.ATTEMPTS
    backoff_s: float = 1.0


async def _send(notifier: Notifier, alerts: list[Alert], tokens: TokenStore,
                how: _Sending) -> notify.Sent:
    message = notify.Message(message_title(alerts), message_body(alerts), [
        {"key": a.key, "what": a.what, "where": a.where, "since": a.since.isoformat() + "Z",
         "fix": a.fix} for a in alerts])
    try:
        target = await asyncio.to_thread(target_of, notifier, tokens)
    except ConnectorError as error:
        return notify.Sent(False, 0, str(error))
    password = target.secret if target.kind == "email" else ""
    return await notify.send(target, message, password=password, attempts=how.attempts,
                             backoff_s=how.backoff_s)


def _due(workspace: Workspace, alerts: list[Alert], now: datetime
         ) -> list[tuple[Notifier, list[Alert]]]:
    reminder = timedelta(hours=workspace.settings.alert_reminder_hours)
    plan = []
    with workspace.db.session() as session:
        for notifier in _notifiers(workspace, session):
            due = []
            for alert in alerts:
                last = store.last_sent(session, notifier.name, alert.key)
                if last and last.state == alert.state:  # the same problem: since its start
                    alert = replace(alert, since=min(alert.since, last.since))
                if is_due(alert, last.state if last else None, last.sent_at if last else None,
                          now, reminder):
                    due.append(alert)
            if due:
                plan.append((notifier, due))
    return plan


async def dispatch(workspace: Workspace, alerts: list[Alert], *, now: datetime | None = None,
                   tokens: TokenStore | None = None, attempts: int = notify.ATTEMPTS,
                   backoff_s: float = 1.0) -> list[Delivery]:
    """Send what is news to each notifier, one message each; never raises for a receiver."""
    if not alerts:
        return []
    now = now or utcnow()
    tokens = tokens or TokenStore()
    plan = await asyncio.to_thread(_due, workspace, alerts, now)
    how = _Sending(attempts, backoff_s)
    results = await asyncio.gather(*(_send(n, due, tokens, how) for n, due in plan))
    await asyncio.to_thread(_record, workspace, plan, results, now)
    return [Delivery(n.name, len(due), sent.ok, sent.attempts, sent.error)
            for (n, due), sent in zip(plan, results, strict=True)]


def _record(workspace: Workspace, plan: list[tuple[Notifier, list[Alert]]],
            results: list[notify.Sent], now: datetime) -> None:
    with workspace.db.session() as session:
        for (notifier, due), sent in zip(plan, results, strict=True):
            for alert in due:
                store.record(session, notifier.name, alert, at=now, ok=sent.ok,
                             attempts=sent.attempts, error=sent.error or None)


def resolve(workspace: Workspace, prefix: str, present: set[str],
            now: datetime | None = None) -> None:
    """Problems under ``prefix`` that are gone: their next sighting will be news again."""
    now = now or utcnow()
    with workspace.db.session() as session:
        for (notifier, problem), state in store.open_problems(session, prefix).items():
            if problem not in present and state != RESOLVED:
                gone = Alert(problem, RESOLVED, "", "", now, "")
                store.record(session, notifier, gone, at=now, ok=True, attempts=0)


async def send_test(workspace: Workspace, name: str, tokens: TokenStore | None = None,
                    *, attempts: int = notify.ATTEMPTS, backoff_s: float = 1.0) -> notify.Sent:
    """A test message to ``name`` (raises :class:`UnknownNotifier`); not recorded."""
    notifier = next((n for n in declared(workspace) if n.name == name), None)
    if notifier is None:
        with workspace.db.session() as session:
            notifier = store.notifier(session, name)
    alert = Alert("test", "test", _("A test message from pmcockpit"),
                  _("notifier {name}").format(name=name), utcnow(),
                  _("nothing: alerts will arrive here"))
    return await _send(notifier, [alert], tokens or TokenStore(), _Sending(attempts, backoff_s))
