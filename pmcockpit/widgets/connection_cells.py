"""The cells and lines of the Connections screen: health, admin, TLS and token, each
marked so it reads without colour too."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from pmcockpit.core.i18n import _
from pmcockpit.core.wording import ago
from pmcockpit.storage.queries.connections import ConnectionOverview, HealthFacts

TLS_WARNING_DAYS = 30
"""A certificate expiring sooner than this is shown as a warning."""


def health_cell(facts: HealthFacts | None) -> Content:
    """Up, down or auth failed, marked so it reads without colour too."""
    if facts is None:
        return Content.styled(_("not checked"), "$foreground-muted")
    if not facts.reachable:
        return Content.styled(_("✗ down"), "$text-error")
    if not facts.authenticated:
        return Content.styled(_("✗ auth failed"), "$text-error")
    return Content.styled(_("● up"), "$text-success")


def admin_cell(facts: HealthFacts | None) -> Content:
    if facts is None or facts.is_admin is None:
        return Content.styled("—", "$foreground-muted")
    return Content(_("yes")) if facts.is_admin else Content.styled(_("✗ no"), "$text-error")


def tls_cell(facts: HealthFacts | None, now: datetime) -> Content:
    if facts is None or facts.tls_expires_at is None:
        return Content.styled("—", "$foreground-muted")
    soon = (facts.tls_expires_at - now).days < TLS_WARNING_DAYS
    return Content.styled(f"{facts.tls_expires_at:%Y-%m-%d}", "$text-warning" if soon else "")


def health_lines(row: ConnectionOverview, now: datetime) -> list[Content]:
    facts = row.health
    if facts is None:
        return [Content.styled(_("Health not checked yet: press t."), "$text-muted")]
    checked = ago(facts.checked_at, now) if facts.checked_at else _("just now")
    parts = [_("Health {checked}:").format(checked=checked), health_cell(facts).plain]
    if facts.latency_ms:
        parts.append(_("{ms:.0f} ms").format(ms=facts.latency_ms))
    if facts.version:
        parts.append(_("version {version}").format(version=facts.version))
    if facts.tls_expires_at:
        parts.append(_("TLS until {date}").format(date=f"{facts.tls_expires_at:%Y-%m-%d}"))
    lines = [Content(" ".join(parts))]
    if facts.error and facts.error != row.last_sync_error:
        lines.append(Content.styled(facts.error, "$text-error"))
    return lines


def token_words(where: str) -> str:
    return {"environment": _("from the environment"), "keyring": _("in the system keyring"),
            "missing": _("missing: add the connection again (a)"),
            "unreadable": _("the keyring could not be read: press s or t to see why"),
            "simulated": _("simulated")}.get(where, where)


def token_word(where: str) -> str:
    """The token's place in one short word, for the table's column."""
    # Translators: where a connection's token is, in a narrow table column.
    return {"environment": _("environment"), "keyring": _("keyring"), "missing": _("missing"),
            "unreadable": _("unreadable"), "simulated": _("simulated")}.get(where, where)


