"""Atlassian's organisation admin API: last activity, suspending and restoring access.

Jira's own REST API knows neither when someone was last active nor how to lock
an account; the organisation (``https://api.atlassian.com/admin/v1/orgs/{orgId}``)
does, with its own Bearer API key. Only managed accounts of the organisation's
directory are known there: any other account (an app, a guest) is 404, which
means "unknown", not a failure.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, quote, urlsplit

from pmcockpit.connectors.errors import NotFound
from pmcockpit.connectors.http import ToolClient
from pmcockpit.connectors.jira_parse import parse_last_active

DEFAULT_ADMIN_URL = "https://api.atlassian.com"
ADMIN_PATH_PREFIX = "/admin/"
MAX_ACTIVITY_PAGES = 20
"""A user has one entry per product; more pages than this means the cursor loops."""


class JiraAdminApi:
    """The admin API calls for one organisation, on their own client and key."""

    def __init__(self, client: ToolClient, org_id: str) -> None:
        self.client = client
        self.org_id = org_id

    def user_path(self, account_id: str, action: str) -> str:
        return (f"/admin/v1/orgs/{quote(self.org_id, safe='')}/directory/users/"
                f"{quote(account_id, safe='')}/{action}")

    def suspend_path(self, account_id: str) -> str:
        return self.user_path(account_id, "suspend-access")

    def restore_path(self, account_id: str) -> str:
        return self.user_path(account_id, "restore-access")

    async def last_active(self, account_id: str) -> datetime | None:
        """The account's latest activity over all products; None when never or unknown."""
        path = self.user_path(account_id, "last-active-dates")
        latest: datetime | None = None
        cursor: str | None = None
        for _ in range(MAX_ACTIVITY_PAGES):
            try:
                data = await self.client.get_json(path, {"cursor": cursor} if cursor else None)
            except NotFound:
                return None  # not a managed account of this organisation
            moment, next_link = parse_last_active(data)
            if moment is not None and (latest is None or moment > latest):
                latest = moment
            cursor = _cursor(next_link)
            if not cursor:
                break
        return latest


def _cursor(next_link: str | None) -> str | None:
    """``links.next`` is a cursor, or a URL carrying one as ``cursor=``."""
    if not next_link:
        return None
    if "://" in next_link or next_link.startswith("/"):
        values = parse_qs(urlsplit(next_link).query).get("cursor")
        return values[0] if values else None
    return next_link
