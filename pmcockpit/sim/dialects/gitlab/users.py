"""GitLab users, the current user, user moderation and the version.

What a user looks like depends on who asks: anyone sees ``UserBasic`` in lists and
the public profile (``bot``, ``public_email``) of one user; an administrator sees
e-mail, the admin flag, two-factor and the sign-in and activity dates. Blocking
and deactivating are different states: a deactivated user comes back by signing
in, a blocked one only when an administrator unblocks them. GitLab deactivates
only users without activity for 90 days, and neither blocks nor deactivates the
account making the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmcockpit.sim.dialects.gitlab.admin import audit, moderated
from pmcockpit.sim.dialects.gitlab.core import (
    Call,
    display_name,
    find_user,
    forbidden,
    iso,
    paged,
    router,
    user_basic,
)
from pmcockpit.sim.dialects.gitlab.facts import DORMANT_DAYS
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, User

VERSION = {"version": "17.5.1-ee", "revision": "b6d1e8c5f3a"}
ORDER_KEYS: dict[str, Callable[[User], Any]] = {
    "id": lambda u: u.id,
    "username": lambda u: u.login.lower(),
    "name": lambda u: u.name.lower(),
    "created_at": lambda u: u.created_on,
    "updated_at": lambda u: u.updated_on,
}


def user_profile(call: Call, user: User) -> dict[str, Any]:
    """The ``User`` entity: the public profile."""
    facts = call.facts
    return {**user_basic(call, user), "created_at": iso(user.created_on), "bio": "",
            "location": None, "public_email": user.mail if user.id in facts.public_email
            else "", "linkedin": "", "twitter": "", "discord": "", "website_url": "",
            "organization": "", "job_title": "", "pronouns": None, "bot": facts.is_bot(user),
            "work_information": None, "followers": 0, "following": 0, "local_time": None}


def user_own(call: Call, user: User) -> dict[str, Any]:
    """``UserPublic``: what a user sees of themselves."""
    facts = call.facts
    signs_in = user.id not in facts.never_signs_in
    activity = facts.activity.get(user.id)
    return {
        **user_profile(call, user),
        "last_sign_in_at": iso(facts.previous_sign_in.get(user.id)) if signs_in else None,
        "confirmed_at": iso(user.created_on),
        "last_activity_on": activity.isoformat() if activity else None,
        "email": user.mail, "theme_id": 3, "color_scheme_id": 1, "projects_limit": 100000,
        "current_sign_in_at": iso(user.last_login_on) if signs_in else None,
        "identities": [], "can_create_group": True, "can_create_project": True,
        "two_factor_enabled": user.id in facts.two_factor, "external": False,
        "private_profile": False, "commit_email": user.mail,
    }


def user_for_admin(call: Call, user: User) -> dict[str, Any]:
    """``UserWithAdmin``: everything, as an administrator sees it."""
    return {**user_own(call, user), "is_admin": user.admin, "note": "",
            "namespace_id": user.id, "created_by": None, "is_auditor": False,
            "using_license_seat": not call.facts.is_bot(user)}


@router.route("GET", "/version")
def version(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, VERSION)


@router.route("GET", "/user")
def current_user(call: Call, _: dict[str, str]) -> SimResponse:
    render = user_for_admin if call.user.admin else user_own
    return json_response(200, render(call, call.user))


def _matches(call: Call, user: User) -> bool:
    username = call.arg("username")
    if username and user.login.lower() != str(username).lower():
        return False
    search = str(call.arg("search") or "").lower()
    if search and not any(search in text.lower() for text in (
            user.login, display_name(user), user.mail if call.user.admin else "")):
        return False
    state = call.facts.user_state(user)
    if call.flag("active") and state != "active":
        return False
    if call.flag("blocked") and state not in ("blocked", "blocked_pending_approval"):
        return False
    if call.flag("humans") and call.facts.is_bot(user):
        return False
    two_factor = call.arg("two_factor") if call.user.admin else None
    return not two_factor or (user.id in call.facts.two_factor) == (two_factor == "enabled")


@router.route("GET", "/users")
def list_users(call: Call, _: dict[str, str]) -> SimResponse:
    users = [u for u in call.state.users.values() if _matches(call, u)]
    key = ORDER_KEYS.get(str(call.arg("order_by") or "id"), ORDER_KEYS["id"])
    users.sort(key=key, reverse=str(call.arg("sort") or "desc") == "desc")
    if call.user.admin:
        return paged(call, users, lambda u: user_for_admin(call, u))
    return paged(call, users, lambda u: user_basic(call, u))


@router.route("GET", "/users/{id:int}")
def show_user(call: Call, params: dict[str, str]) -> SimResponse:
    user = find_user(call, params["id"])
    render = user_for_admin if call.user.admin else user_profile
    return json_response(200, render(call, user))


# Moderation -----------------------------------------------------------------------------


@router.route("POST", "/users/{id:int}/block")
def block(call: Call, params: dict[str, str]) -> SimResponse:
    user, state = moderated(call, params["id"])
    if user.id == call.user.id:
        raise forbidden("The API initiating user cannot be blocked by the API")
    if state == "blocked":
        return json_response(201, None)
    call.facts.deactivated.discard(user.id)
    call.facts.banned.discard(user.id)
    call.state.set_user_status(user, USER_LOCKED)
    audit(call, user, "Blocked user")
    return json_response(201, True)


@router.route("POST", "/users/{id:int}/unblock")
def unblock(call: Call, params: dict[str, str]) -> SimResponse:
    user, state = moderated(call, params["id"])
    if state == "deactivated":
        raise forbidden("Deactivated users cannot be unblocked by the API")
    if state == "blocked_pending_approval":
        raise forbidden("Users pending approval cannot be unblocked by the API")
    call.facts.banned.discard(user.id)
    call.state.set_user_status(user, USER_ACTIVE)
    audit(call, user, "Unblocked user")
    return json_response(201, True)


@router.route("POST", "/users/{id:int}/deactivate")
def deactivate(call: Call, params: dict[str, str]) -> SimResponse:
    user, state = moderated(call, params["id"])
    if state == "deactivated":
        return json_response(201, True)
    if state != "active":
        raise forbidden("A blocked user cannot be deactivated by the API")
    if user.id == call.user.id or not call.facts.dormant(user, call.today):
        raise forbidden(f"The user you are trying to deactivate has been active in the past "
                        f"{DORMANT_DAYS} days and cannot be deactivated")
    call.facts.deactivated.add(user.id)
    call.state.set_user_status(user, USER_LOCKED)
    audit(call, user, "Deactivated user")
    return json_response(201, True)


@router.route("POST", "/users/{id:int}/activate")
def activate(call: Call, params: dict[str, str]) -> SimResponse:
    user, state = moderated(call, params["id"])
    if state in ("blocked", "blocked_pending_approval"):
        raise forbidden("A blocked user must be unblocked to be activated")
    call.facts.deactivated.discard(user.id)
    call.state.set_user_status(user, USER_ACTIVE)
    audit(call, user, "Activated user")
    return json_response(201, True)


@router.route("PUT", "/users/{id:int}")
def modify_user(call: Call, params: dict[str, str]) -> SimResponse:
    """Modify a user: only the admin flag is modelled."""
    call.require_admin()
    user = find_user(call, params["id"])
    admin = call.flag("admin")
    if admin is not None:
        user.admin = admin
    return json_response(200, user_for_admin(call, user))
