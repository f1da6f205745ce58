"""Reading Feishu's directory (contact v3) and last activity (admin v1) into records.

The ``parse_*`` functions are pure. Feishu facts this relies on: ``find_by_department``
lists a department's direct members only, so every department of the tree is asked
(someone in two departments is listed twice and kept once); a user's ``status`` says
frozen, resigned, activated; ``join_time`` is in Unix seconds; the admin data report
(``admin_user_stats``) covers at most 31 days a call, 60 rows a page, and a day's
rows exist only after 09:30 China time the next day: the newest published day is
asked, and its ``last_active_time`` (China time) is the person's last activity.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from pmcockpit.connectors.errors import PermissionDenied
from pmcockpit.connectors.feishu_api import FeishuApi
from pmcockpit.core.i18n import _
from pmcockpit.core.records import AccountKind, AccountStatus, RemoteAccount, RemoteGroup

Json = dict[str, Any]
CHINA = timezone(timedelta(hours=8))
PARSE_HINT = _("Feishu's contact v3 answers differently than documented; check the app's "
               "field permissions")
ROOT = "0"
IDS = {"user_id_type": "user_id", "department_id_type": "department_id"}


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One person as HR's directory knows them: for the review's roster."""

    employee_id: str
    login: str
    name: str
    email: str | None
    department: str
    joined_on: date | None
    has_left: bool
    is_frozen: bool


def parse_status(status: Json) -> AccountStatus:
    if status.get("is_resigned") or status.get("is_frozen"):
        return AccountStatus.LOCKED
    if status.get("is_activated") is False or status.get("is_unjoin"):
        return AccountStatus.PENDING
    return AccountStatus.ACTIVE


def parse_joined(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)


def parse_account(item: Json, last_active: datetime | None = None) -> RemoteAccount:
    user_id = item["user_id"]
    if not isinstance(user_id, str) or not user_id:
        raise ValueError(_("user_id {value!r} is not an id").format(value=user_id))
    return RemoteAccount(
        remote_id=user_id, login=user_id, name=str(item.get("name") or user_id),
        email=item.get("enterprise_email") or item.get("email") or None,
        status=parse_status(item["status"]), is_admin=item.get("is_tenant_manager") is True,
        created_at=parse_joined(item.get("join_time")), last_login_at=last_active)


def parse_active_time(value: Any) -> datetime | None:
    """``last_active_time`` of a data-report row: China time, empty for never."""
    if not isinstance(value, str) or not value.strip():
        return None
    return datetime.fromisoformat(value.strip()).replace(tzinfo=CHINA).astimezone(UTC)


def newest_report_day(now: datetime) -> date:
    local = now.astimezone(CHINA)
    return local.date() - timedelta(days=1 if local.time() >= time(9, 30) else 2)


def roster_row(item: Json, departments: dict[str, str]) -> RosterRow:
    status = item["status"]
    ids = item.get("department_ids") or []
    return RosterRow(
        employee_id=str(item.get("employee_no") or item["user_id"]), login=item["user_id"],
        name=str(item.get("name", "")),
        email=item.get("enterprise_email") or item.get("email") or None,
        department=departments.get(ids[0], "") if ids else "",
        joined_on=(joined.date() if (joined := parse_joined(item.get("join_time"))) else None),
        has_left=bool(status.get("is_resigned")), is_frozen=bool(status.get("is_frozen")))


class FeishuReader:
    def __init__(self, api: FeishuApi) -> None:
        self.api = api
        self.client = api.client
        self._read: tuple[list[Json], list[Json]] | None = None

    async def departments(self) -> list[Json]:
        path = f"/contact/v3/departments/{ROOT}/children"
        return [d async for d in self.api.pages(
            path, params={**IDS, "fetch_child": "true"}, page_size=50, id_key="department_id")]

    async def _members(self, department_id: str) -> list[Json]:
        return [u async for u in self.api.pages(
            "/contact/v3/users/find_by_department",
            params={**IDS, "department_id": department_id}, page_size=50, id_key="user_id")]

    async def users(self, departments: list[Json] | None = None) -> tuple[list[Json],
                                                                          list[Json]]:
        """(every user once, the departments) of the app's contact scope."""
        departments = departments if departments is not None else await self.departments()
        ids = [ROOT, *(str(d["department_id"]) for d in departments)]
        pages = await asyncio.gather(*(self._members(i) for i in ids))
        users: dict[str, Json] = {}
        for page in pages:
            for user in page:
                users.setdefault(user["user_id"], user)
        return list(users.values()), departments

    async def user(self, user_id: str) -> Json:
        data = await self.api.call("GET", f"/contact/v3/users/{user_id}", params=IDS)
        user = data["user"]
        if not isinstance(user, dict):
            raise TypeError(_("a user is not an object"))
        return user

    async def last_active(self) -> dict[str, datetime]:
        """user_id -> last activity, from the newest published day of the data report."""
        day = newest_report_day(datetime.now(UTC)).isoformat()
        try:
            rows = [r async for r in self.api.pages(
                "/admin/v1/admin_user_stats", params={"start_date": day, "end_date": day},
                page_size=60, id_key=None)]
        except PermissionDenied:
            return {}  # without the report scope the rest still syncs, without last login
        seen: dict[str, datetime] = {}
        for row in rows:
            moment = parse_active_time(row.get("last_active_time"))
            if moment is not None:
                seen[str(row["user_id"])] = moment
        return seen

    async def list_accounts(self) -> list[RemoteAccount]:
        (users, departments), seen = await asyncio.gather(self.users(), self.last_active())
        self._read = (users, departments)
        return [parse_account(u, seen.get(u["user_id"])) for u in users]

    async def list_groups(self, *, members: bool = True) -> list[RemoteGroup]:
        # Departments' members come with the users read anyway: ``members`` saves nothing.
        # A sync reads the accounts just before: their pages are not asked twice.
        users, departments = self._read or await self.users()
        in_department: dict[str, list[str]] = {}
        for user in users:
            for dept in user.get("department_ids") or []:
                in_department.setdefault(str(dept), []).append(user["user_id"])
        return [RemoteGroup(str(d["department_id"]), str(d["name"]),
                            tuple(in_department.get(str(d["department_id"]), ())))
                for d in departments]

    async def roster(self) -> list[RosterRow]:
        users, departments = await self.users()
        names = {str(d["department_id"]): str(d["name"]) for d in departments}
        return [roster_row(u, names) for u in users]

    async def app_account(self) -> RemoteAccount:
        """The app the token belongs to, proven by one small directory call."""
        await self.api.call("GET", f"/contact/v3/departments/{ROOT}/children",
                            params={**IDS, "page_size": 1})
        return RemoteAccount(self.api.app_id, self.api.app_id,
                             _("Feishu app {app}").format(app=self.api.app_id), None,
                             AccountStatus.ACTIVE, is_admin=True, kind=AccountKind.SERVICE)
