"""Response bodies shaped exactly like Redmine 5.0's, as recorded from a real server.

Notable: ``/users.json`` items carry no ``status``; ``/users/current.json`` carries the
token itself (``api_key``); a role a user holds through a group is marked
``"inherited": true``; built-in groups appear in memberships under ``group_non_member``
or ``group_anonymous``.
"""

from __future__ import annotations

from typing import Any

API_KEY = "f21ac02e30ad620d1c843d2f1ad1bcb63ae2ded0"
T0 = "2026-01-05T09:00:00Z"


def user(uid: int, login: str, first: str, last: str, *, admin: bool = False,
         last_login: str | None = None, twofa: str | None = None) -> dict[str, Any]:
    return {"id": uid, "login": login, "admin": admin, "firstname": first, "lastname": last,
            "mail": f"{login}@example.org", "created_on": T0, "updated_on": T0,
            "last_login_on": last_login, "passwd_changed_on": T0, "twofa_scheme": twofa}


ADMIN = user(1, "admin", "Redmine", "Admin", admin=True, last_login="2026-03-01T08:15:00Z")
ALICE = user(5, "alice", "Alice", "Archer", twofa="totp")
BOB = user(6, "bob", "Bob", "Baker")
CAROL = user(7, "carol", "Carol", "Cook")
DAVE = user(8, "dave", "Dave", "Dunn")

CURRENT = {"user": {**ADMIN, "api_key": API_KEY, "status": 1}}


def users_page(items: list[dict[str, Any]], offset: int = 0, limit: int = 100,
               total: int | None = None) -> dict[str, Any]:
    return {"users": items, "total_count": len(items) if total is None else total,
            "offset": offset, "limit": limit}


USERS_BY_STATUS = {"1": [ADMIN, ALICE, BOB], "2": [DAVE], "3": [CAROL]}

GROUPS = {"groups": [{"id": 20, "name": "Developers"}, {"id": 21, "name": "Ops"}]}
GROUP_DETAILS = {
    20: {"group": {"id": 20, "name": "Developers",
                   "users": [{"id": 5, "name": "Alice Archer"}, {"id": 6, "name": "Bob Baker"}]}},
    21: {"group": {"id": 21, "name": "Ops", "users": [{"id": 7, "name": "Carol Cook"}]}},
}

ROLES = {"roles": [{"id": 3, "name": "Manager"}, {"id": 4, "name": "Developer"},
                   {"id": 5, "name": "Reporter"}]}
ROLE_DETAILS = {
    3: {"role": {"id": 3, "name": "Manager", "assignable": True, "issues_visibility": "all",
                 "time_entries_visibility": "all", "users_visibility": "all",
                 "permissions": ["add_project", "edit_project", "manage_members",
                                 "view_issues", "add_issues"]}},
    4: {"role": {"id": 4, "name": "Developer", "assignable": True, "issues_visibility": "default",
                 "time_entries_visibility": "all", "users_visibility": "all",
                 "permissions": ["view_issues", "add_issues", "edit_issues"]}},
    5: {"role": {"id": 5, "name": "Reporter", "assignable": True, "issues_visibility": "default",
                 "time_entries_visibility": "all", "users_visibility": "all",
                 "permissions": ["view_issues", "add_issues"]}},
}


def project(pid: int, identifier: str, name: str, status: int,
            parent: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": pid, "name": name, "identifier": identifier,
                            "description": "", "homepage": "", "status": status,
                            "is_public": False, "inherit_members": False,
                            "created_on": T0, "updated_on": "2026-02-01T10:00:00Z"}
    if parent:
        item["parent"] = parent
    return item


APOLLO = project(1, "apollo", "Apollo", 1)
GEMINI = project(2, "gemini", "Gemini", 1, parent={"id": 1, "name": "Apollo"})
MERCURY = project(3, "mercury", "Mercury", 5)
PROJECTS_BY_STATUS = {"1": [APOLLO, GEMINI], "5": [MERCURY], "9": []}

APOLLO_MEMBERSHIPS: dict[str, Any] = {"memberships": [
    {"id": 100, "project": {"id": 1, "name": "Apollo"}, "group": {"id": 20, "name": "Developers"},
     "roles": [{"id": 4, "name": "Developer"}]},
    # alice only through Developers
    {"id": 101, "project": {"id": 1, "name": "Apollo"}, "user": {"id": 5, "name": "Alice Archer"},
     "roles": [{"id": 4, "name": "Developer", "inherited": True}]},
    # bob: Manager of his own, Developer through the group
    {"id": 102, "project": {"id": 1, "name": "Apollo"}, "user": {"id": 6, "name": "Bob Baker"},
     "roles": [{"id": 3, "name": "Manager"}, {"id": 4, "name": "Developer", "inherited": True}]},
    {"id": 103, "project": {"id": 1, "name": "Apollo"}, "user": {"id": 7, "name": "Carol Cook"},
     "roles": [{"id": 5, "name": "Reporter"}]},
    {"id": 104, "project": {"id": 1, "name": "Apollo"},
     "group_non_member": {"id": 2, "name": "Non member users"},
     "roles": [{"id": 5, "name": "Reporter"}]},
], "total_count": 5, "offset": 0, "limit": 100}
GEMINI_MEMBERSHIPS = {"memberships": [
    {"id": 110, "project": {"id": 2, "name": "Gemini"}, "user": {"id": 1, "name": "Redmine Admin"},
     "roles": [{"id": 3, "name": "Manager"}]},
], "total_count": 1, "offset": 0, "limit": 100}
MERCURY_MEMBERSHIPS = {"memberships": [], "total_count": 0, "offset": 0, "limit": 100}

ISSUE_STATUSES = {"issue_statuses": [
    {"id": 1, "name": "New", "is_closed": False},
    {"id": 2, "name": "In Progress", "is_closed": False},
    {"id": 3, "name": "Resolved", "is_closed": False},
    {"id": 4, "name": "Feedback", "is_closed": False},
    {"id": 5, "name": "Closed", "is_closed": True},
    {"id": 6, "name": "Rejected", "is_closed": True},
]}


def issue(iid: int, status: tuple[int, str, bool], updated: str, *,
          assignee: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": iid, "project": {"id": 1, "name": "Apollo"}, "tracker": {"id": 1, "name": "Bug"},
        "status": {"id": status[0], "name": status[1], "is_closed": status[2]},
        "priority": {"id": 2, "name": "Normal"}, "author": {"id": 5, "name": "Alice Archer"},
        "subject": f"Issue {iid}", "description": "It broke.", "start_date": "2026-01-05",
        "due_date": None, "done_ratio": 0, "is_private": False, "estimated_hours": None,
        "total_estimated_hours": None, "spent_hours": 0.0, "total_spent_hours": 0.0,
        "custom_fields": [], "created_on": T0, "updated_on": updated, "closed_on": None,
    }
    if assignee:
        item["assigned_to"] = assignee
    return item


JOURNALS = [
    {"id": 900, "user": {"id": 1, "name": "Redmine Admin"}, "notes": "Looking into it",
     "created_on": "2026-01-06T10:00:00Z", "private_notes": False,
     "details": [{"property": "attr", "name": "status_id", "old_value": "1", "new_value": "2"}]},
    {"id": 901, "user": {"id": 5, "name": "Alice Archer"}, "notes": "",
     "created_on": "2026-01-07T10:00:00Z", "private_notes": False,
     "details": [{"property": "attr", "name": "assigned_to_id", "old_value": None,
                  "new_value": "1"}]},
]
