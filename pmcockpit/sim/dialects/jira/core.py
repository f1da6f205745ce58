"""Request handling shared by every Jira Cloud endpoint: auth, errors, paging, ids.

Facts of Jira Cloud's REST API v3 reproduced here: requests authenticate with HTTP
basic auth, the account's e-mail and an API token; a bad or missing login is 401
and every refusal has the body ``{"errorMessages": [...], "errors": {...}}``; lists
page with ``startAt``/``maxResults`` (capped per endpoint) and most answer a page
bean (``isLast``, ``total``, ``values``); ``/users/search`` answers a bare list.

The state's integer ids become Jira-looking strings here: account ids are 24 hex
digits, group ids UUIDs, project and issue ids numbers from 10000, project keys
upper-case. Each mapping is reversible, so no lookup table is kept.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pmcockpit.core.records import AccountKind
from pmcockpit.sim.dialects.common import Abort, BodyCall, abort_json, answer, json_body, to_int
from pmcockpit.sim.dialects.jira.adf import is_document, to_adf, to_text
from pmcockpit.sim.http import Router, SimRequest, SimResponse, json_response
from pmcockpit.sim.models import PROJECT_ARCHIVED, USER_ACTIVE, Group, Issue, Project, Role, User
from pmcockpit.sim.state import ADMIN_LOGIN, ToolState

ACCOUNT_PREFIX = "5b10ac8d82e05b"
GROUP_PREFIX = "276f955c-63d7-42c8-9520-"
ID_OFFSET = 10000
ADMIN_GROUP_ID = 0
"""A group the state does not have: Jira's ``site-admins``, whose members are the admins."""
ADMIN_GROUP_NAME = "site-admins"
ADMIN_EMAIL = "admin@example.org"
# Jira's default project roles, in place of the organisation's Redmine-style ones.
ROLE_NAMES = {"Manager": ("Administrators", 10002), "Developer": ("Developers", 10000),
              "Reporter": ("Users", 10001)}
READ_ONLY_POSTS = frozenset({"/rest/api/3/search/jql", "/rest/api/3/search"})
V2_PREFIX, V3_PREFIX = "/rest/api/2/", "/rest/api/3/"
UNAUTHORIZED = "Client must be authenticated to access this resource."
KEY_LENGTH = 10


@dataclass
class JiraCall(BodyCall):
    """One authenticated Jira request being handled.

    ``plain``: it came under ``/rest/api/2``, where rich text (descriptions, comments)
    is a plain string instead of an ADF document; otherwise v2 answers as v3.
    """

    plain: bool = False

    def rich(self, text: str | None) -> Any:
        """Rich text as this API version gives it (v2: the string, v3: ADF)."""
        return (text or None) if self.plain else to_adf(text or "")

    def text_of(self, value: Any) -> str | None:
        """Rich text sent in this API version, as plain text; None when malformed."""
        if self.plain:
            return value if isinstance(value, str) else None
        return to_text(value) if is_document(value) else None

    def args(self, name: str) -> list[str]:
        """Every value of a repeatable parameter, comma-separated ones split."""
        return [part.strip() for value in self.request.query.get(name, [])
                for part in value.split(",") if part.strip()]

    @property
    def base_url(self) -> str:
        return f"http://{self.request.headers.get('host', 'jira.sim')}"

    def require_admin(self) -> None:
        if not self.user.admin:
            raise error(403, "You do not have the permission to do this (Administer Jira).")

    def page(self, default: int = 50, cap: int = 100) -> tuple[int, int]:
        """``startAt`` and ``maxResults``; too large a page is cut to ``cap``, as Jira does."""
        start = to_int(self.arg("startAt")) or 0
        size = to_int(self.arg("maxResults"))
        size = default if size is None or size < 1 else min(size, cap)
        return max(start, 0), size


router: Router[JiraCall] = Router()


def error(status: int, *messages: str, **field_errors: str) -> Abort:
    return abort_json(status, {"errorMessages": list(messages), "errors": field_errors})


def page_bean(call: JiraCall, items: list[Any], start: int, size: int) -> SimResponse:
    chosen = items[start:start + size]
    return json_response(200, {
        "self": f"{call.base_url}{call.request.path}?startAt={start}&maxResults={size}",
        "maxResults": size, "startAt": start, "total": len(items),
        "isLast": start + len(chosen) >= len(items), "values": chosen,
    })


def jira_time(moment: datetime | None) -> str | None:
    """Jira's timestamp format: ``2021-01-17T12:34:00.000+0000``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


# Ids ------------------------------------------------------------------------------------


def account_id(user: User) -> str:
    return f"{ACCOUNT_PREFIX}{user.id:010x}"


def find_account(state: ToolState, account: str | None) -> User | None:
    if not account or not account.startswith(ACCOUNT_PREFIX) or len(account) != 24:
        return None
    try:
        return state.users.get(int(account[len(ACCOUNT_PREFIX):], 16))
    except ValueError:
        return None


def group_id(group_id_number: int) -> str:
    return f"{GROUP_PREFIX}{group_id_number:012x}"


def find_group_number(state: ToolState, group_ref: str | None, name: str | None = None
                      ) -> int | None:
    """The state's id of a group given by Jira id or name (the admin group is 0)."""
    if group_ref and group_ref.startswith(GROUP_PREFIX):
        try:
            number = int(group_ref[len(GROUP_PREFIX):], 16)
        except ValueError:
            return None
        return number if number == ADMIN_GROUP_ID or number in state.groups else None
    if name:
        if name == ADMIN_GROUP_NAME:
            return ADMIN_GROUP_ID
        return next((g.id for g in state.groups.values() if g.name == name), None)
    return None


def group_name(state: ToolState, number: int) -> str:
    return ADMIN_GROUP_NAME if number == ADMIN_GROUP_ID else state.groups[number].name


def group_member_ids(state: ToolState, number: int) -> list[int]:
    if number == ADMIN_GROUP_ID:
        return [u.id for u in state.users.values() if u.admin]
    group: Group = state.groups[number]
    return list(group.user_ids)


def account_type(user: User) -> str:
    """Integrations are Jira "app" users; the admin the token belongs to is a person."""
    return "app" if user.kind is AccountKind.SERVICE and user.login != ADMIN_LOGIN \
        else "atlassian"


def project_keys(state: ToolState) -> dict[int, str]:
    """Upper-case keys from the identifiers, at most 10 characters, unique, cached."""
    cached = state.read_cache.get(("jira-project-keys",))
    if cached is not None:
        keys: dict[int, str] = cached[0]
        return keys
    keys, taken = {}, set()
    for project in sorted(state.projects.values(), key=lambda p: p.id):
        stem = re.sub(r"[^A-Z0-9]", "", project.identifier.upper()) or "P"
        if not stem[0].isalpha():
            stem = "P" + stem
        key, number = stem[:KEY_LENGTH], 1
        while key in taken:
            number += 1
            key = f"{stem[:KEY_LENGTH - len(str(number))]}{number}"
        taken.add(key)
        keys[project.id] = key
    state.read_cache[("jira-project-keys",)] = [keys]
    return keys


def project_ref_id(project: Project) -> str:
    return str(ID_OFFSET + project.id)


def find_project(call: JiraCall, ref: str | None) -> Project:
    """A live project by Jira id or key; archived ones are not found, as in Jira."""
    state = call.state
    project = None
    number = to_int(ref)
    if number is not None:
        project = state.projects.get(number - ID_OFFSET)
    elif ref:
        wanted = ref.upper()
        found = next((pid for pid, key in project_keys(state).items() if key == wanted), None)
        project = state.projects.get(found or 0)
    if project is None or is_archived(project):
        raise error(404, f"No project could be found with key '{ref}'.")
    return project


def is_archived(project: Project) -> bool:
    return project.status == PROJECT_ARCHIVED


def issue_ref_id(issue: Issue) -> str:
    return str(ID_OFFSET + issue.id)


def issue_key(state: ToolState, issue: Issue) -> str:
    return f"{project_keys(state)[issue.project_id]}-{issue.id}"


def find_issue(call: JiraCall, ref: str) -> Issue:
    state = call.state
    issue = None
    number = to_int(ref)
    if number is not None:
        issue = state.issues.get(number - ID_OFFSET)
    elif "-" in ref:
        key, _, tail = ref.upper().rpartition("-")
        candidate = state.issues.get(to_int(tail) or 0)
        if candidate is not None and project_keys(state).get(candidate.project_id) == key:
            issue = candidate
    if issue is None or is_archived(state.projects[issue.project_id]):
        raise error(404, "Issue does not exist or you do not have permission to see it.")
    return issue


def role_identity(role: Role) -> tuple[str, int]:
    """(name, Jira id) of a role: Jira's defaults for the organisation's three roles."""
    return ROLE_NAMES.get(role.name, (role.name, ID_OFFSET + 100 + role.id))


def find_role(state: ToolState, ref: str) -> Role | None:
    wanted = to_int(ref)
    return next((r for r in state.roles.values() if role_identity(r)[1] == wanted), None)


# Shapes shared by several endpoints -------------------------------------------------------


def user_json(call: JiraCall, user: User) -> dict[str, Any]:
    identifier = account_id(user)
    data: dict[str, Any] = {
        "self": f"{call.base_url}/rest/api/3/user?accountId={identifier}",
        "accountId": identifier, "accountType": account_type(user),
    }
    if data["accountType"] == "atlassian":  # apps have no e-mail address
        data["emailAddress"] = user.mail
    data.update({
        "avatarUrls": {"48x48": f"https://avatar.example/{identifier}.png"},
        "displayName": user.name, "active": user.status == USER_ACTIVE,
        "timeZone": "Europe/Berlin",
    })
    return data


def group_ref(call: JiraCall, number: int) -> dict[str, Any]:
    identifier = group_id(number)
    return {"name": group_name(call.state, number), "groupId": identifier,
            "self": f"{call.base_url}/rest/api/3/group?groupId={identifier}"}


# Handling ------------------------------------------------------------------------------


def _authenticate(state: ToolState, request: SimRequest) -> User | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        email, _, token = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = state.user_by_api_key(token) if token else None
    if user is None or user.status != USER_ACTIVE or user.mail.lower() != email.lower():
        return None
    return user


def handle_rest(state: ToolState, request: SimRequest) -> SimResponse:
    asked = request.path
    plain = asked.startswith(V2_PREFIX)
    if plain:  # Jira Cloud serves every v3 operation under /rest/api/2 too
        request = replace(request, path=V3_PREFIX + asked[len(V2_PREFIX):])
    found = router.match(request.method, request.path)
    if found is None:
        status = 405 if router.knows_path(request.path) else 404
        return error(status, f"No resource at {request.method} {asked}").response
    handler, params = found
    with state.lock:
        user = _authenticate(state, request)
        if user is None:
            return json_response(401, {"errorMessages": [UNAUTHORIZED], "errors": {}},
                                 {"WWW-Authenticate": 'Basic realm="protected-area"'})
        return answer(
            state, lambda: handler(JiraCall(state, request, user, json_body(request), plain),
                                  params),
            changes=request.method != "GET" and request.path not in READ_ONLY_POSTS)
