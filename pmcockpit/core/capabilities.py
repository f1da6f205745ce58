"""What a connected tool can do. Screens ask for capabilities, never for a tool's name."""

from __future__ import annotations

import enum

TOOL_KINDS: tuple[str, ...] = ("feishu", "gitlab", "jira", "redmine", "zentao")
"""The kinds of tool a connection can be to (one connector each), for the faces' choices;
a constant here so a command's help lists them without importing the connectors."""


class Capability(enum.StrEnum):
    KNOWS_LAST_LOGIN = "knows-last-login"
    HAS_GROUPS = "has-groups"
    HAS_ROLES = "has-roles"
    HAS_TICKETS = "has-tickets"
    LOCK_USERS = "lock-users"
    DEACTIVATE_USERS = "deactivate-users"
    MANAGE_MEMBERSHIPS = "manage-memberships"
    MANAGE_GROUPS = "manage-groups"
    MANAGE_ADMINS = "manage-admins"
    """Take a user's administrator rights away (and give them back, for undo)."""
    CREATE_TICKETS = "create-tickets"
    COMMENT_TICKETS = "comment-tickets"
    CHANGE_TICKETS = "change-tickets"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")
