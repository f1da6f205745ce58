"""What the review screen offers on a person's accounts: the single actions (lock,
unlock, remove admin rights, a membership or a group) and the downgrade targets."""

from __future__ import annotations

from collections.abc import Sequence

from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.i18n import _
from pmcockpit.screens.review_dialogs import Target
from pmcockpit.storage.queries.review import AccountLine


def downgrade_targets(lines: Sequence[AccountLine]) -> list[Target]:
    """Each membership and group of these accounts, as something a downgrade removes."""
    found = []
    for line in lines:
        if line.is_admin:
            found.append(Target(_("{tool} {login}: admin rights").format(
                tool=line.connection, login=line.login), line.item_id, "admin"))
        for membership in line.access.get("memberships", []):
            roles = ", ".join(membership["roles"]) or "-"
            found.append(Target(_("{tool} {login}: project {project} ({roles})").format(
                tool=line.connection, login=line.login, project=membership["project"],
                roles=roles), line.item_id, f"membership:{membership['id']}"))
        for group in line.access.get("groups", []):
            found.append(Target(_("{tool} {login}: group {group}").format(
                tool=line.connection, login=line.login, group=group["name"]),
                line.item_id, f"group:{group['id']}"))
    return found


def single_actions(lines: Sequence[AccountLine]) -> list[tuple[str, Action]]:
    """(label, action) for every single action on these accounts."""
    choices: list[tuple[str, Action]] = []
    for line in lines:
        where = _("{login} on {tool}").format(login=line.login, tool=line.connection)
        if line.status == "locked":
            choices.append((_("Unlock {where}").format(where=where),
                            Action(ActionKind.UNLOCK_USER, line.connection, line.remote_id,
                                   line.login)))
        else:
            choices.append((_("Lock {where}").format(where=where),
                            Action(ActionKind.LOCK_USER, line.connection, line.remote_id,
                                   line.login)))
        if line.is_admin:
            choices.append((_("Remove the admin rights of {where}").format(where=where),
                            Action(ActionKind.REMOVE_ADMIN, line.connection, line.remote_id,
                                   line.login)))
        for membership in line.access.get("memberships", []):
            choices.append((
                _("Remove {where} from project {project}").format(
                    where=where, project=membership["project"]),
                Action(ActionKind.REMOVE_MEMBERSHIP, line.connection, str(membership["id"]),
                       _("{login} in {project}").format(login=line.login,
                                                        project=membership["project"]))))
        for group in line.access.get("groups", []):
            choices.append((
                _("Remove {where} from group {group}").format(where=where, group=group["name"]),
                Action(ActionKind.REMOVE_GROUP_MEMBER, line.connection, str(group["id"]),
                       _("{login} from {group}").format(login=line.login, group=group["name"]),
                       {"user_id": line.remote_id})))
    return choices
