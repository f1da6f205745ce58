"""Typed connector failures, each with a message a person can act on.

Messages never contain a token: the HTTP client redacts before raising.
"""

from __future__ import annotations

from pmcockpit.core.i18n import _


class ConnectorError(Exception):
    """Base of every failure talking to a connected tool."""

    title = _("Tool error")

    def __init__(self, message: str, *, hint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class Unreachable(ConnectorError):
    title = _("Unreachable")


class TlsProblem(ConnectorError):
    title = _("TLS problem")


class AuthenticationFailed(ConnectorError):
    title = _("Authentication failed")


class PermissionDenied(ConnectorError):
    title = _("Permission denied")


class NotFound(ConnectorError):
    title = _("Not found")


class RateLimited(ConnectorError):
    title = _("Rate limited")

    def __init__(self, message: str, *, retry_after: float | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint, status=429)
        self.retry_after = retry_after


class ServerError(ConnectorError):
    title = _("Server error")


class Rejected(ConnectorError):
    """The tool understood the request and refused it (typically 409/422)."""

    title = _("Refused by the tool")


class BadResponse(ConnectorError):
    """The answer was not what the API promises (not JSON, missing fields)."""

    title = _("Response not understood")


class NotSupported(ConnectorError):
    """The tool, or this connection's configuration, cannot do what was asked."""

    title = _("Not supported")
