"""GitLab's instance administration: bans, a user's memberships, personal access tokens
and audit events (administrators only).

Facts from GitLab's REST docs (doc/api/user_moderation.md, users.md,
personal_access_tokens.md, audit_events.md): ``POST /users/:id/ban`` bans an active
user (201 ``true``), ``/unban`` a banned one, anything else is 403 with the reason;
``/users/:id/memberships`` lists direct memberships only (``source_type`` Project or
Namespace); every user here has one token (the one they call the API with, its id
the user's), revoked by ``DELETE /personal_access_tokens/:id`` (204) and refused from
then on; audit events are GitLab EE's instance events, newest first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pmcockpit.sim.dialects.common import to_int
from pmcockpit.sim.dialects.gitlab.core import (
    Call,
    display_name,
    find_user,
    forbidden,
    iso,
    message,
    not_found,
    paged,
    router,
)
from pmcockpit.sim.dialects.gitlab.facts import AuditEvent
from pmcockpit.sim.http import SimResponse, empty_response, json_response
from pmcockpit.sim.models import USER_ACTIVE, USER_LOCKED, User

TOKEN_LIFETIME = timedelta(days=365)


def moderated(call: Call, user_id: str) -> tuple[User, str]:
    call.require_admin()
    user = find_user(call, user_id)
    return user, call.facts.user_state(user)


def audit(call: Call, user: User, what: str) -> None:
    call.facts.record(call.user, "User", user.id, what, user.login, call.state.clock())


@router.route("POST", "/users/{id:int}/ban")
def ban(call: Call, params: dict[str, str]) -> SimResponse:
    user, state = moderated(call, params["id"])
    if state != "active" or user.id == call.user.id:
        raise forbidden("You cannot ban blocked, deactivated, or banned users." if state !=
                        "active" else "You cannot ban yourself.")
    call.facts.banned.add(user.id)
    call.state.set_user_status(user, USER_LOCKED)
    audit(call, user, "Banned user")
    return json_response(201, True)


@router.route("POST", "/users/{id:int}/unban")
def unban(call: Call, params: dict[str, str]) -> SimResponse:
    user, state = moderated(call, params["id"])
    if state != "banned":
        raise forbidden("You cannot unban active, blocked, or deactivated users.")
    call.facts.banned.discard(user.id)
    call.state.set_user_status(user, USER_ACTIVE)
    audit(call, user, "Unbanned user")
    return json_response(201, True)


@router.route("GET", "/users/{id:int}/memberships")
def memberships(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    user = find_user(call, params["id"])
    kind = call.arg("type")
    if kind not in (None, "Project", "Namespace"):
        raise message(400, "400 Bad request - type does not have a valid value")
    state, facts = call.state, call.facts
    found: list[dict[str, Any]] = []
    if kind != "Namespace":
        found += [{"source_id": m.project_id, "source_name": state.projects[m.project_id].name,
                   "source_type": "Project", "access_level": facts.member_level(m)}
                  for m in state.memberships_of_principal(user.id)
                  if m.direct_role_ids and m.project_id in state.projects]
    if kind != "Project":
        found += [{"source_id": g.id, "source_name": g.name, "source_type": "Namespace",
                   "access_level": facts.group_level(g.id, user.id)}
                  for g in state.groups_of(user.id)]
    return paged(call, found, lambda m: m)


# Personal access tokens ------------------------------------------------------------------


def _token_json(call: Call, user: User) -> dict[str, Any]:
    revoked = user.id in call.facts.revoked_tokens
    created = user.created_on
    expires = (call.state.clock() + TOKEN_LIFETIME).date()
    return {"id": user.id, "name": "api", "revoked": revoked, "created_at": iso(created),
            "description": None, "scopes": ["api"], "user_id": user.id,
            "last_used_at": iso(user.last_login_on), "active": not revoked,
            "expires_at": expires.isoformat()}


def _token_owner(call: Call, token_id: str) -> User:
    user = call.state.users.get(to_int(token_id) or 0)
    if user is None or not user.api_key:
        raise not_found()
    if not call.user.admin and user.id != call.user.id:
        raise not_found()
    return user


@router.route("GET", "/personal_access_tokens")
def list_tokens(call: Call, _: dict[str, str]) -> SimResponse:
    """The caller's token; an administrator sees everyone's (``user_id`` narrows; anyone
    else naming another user is 401, as the docs say)."""
    wanted = to_int(call.arg("user_id"))
    if not call.user.admin and wanted not in (None, call.user.id):
        raise message(401, "401 Unauthorized")
    users = [u for u in sorted(call.state.users.values(), key=lambda u: u.id) if u.api_key
             and (call.user.admin or u.id == call.user.id) and wanted in (None, u.id)]
    revoked, active = call.flag("revoked"), call.arg("state")
    tokens = [_token_json(call, u) for u in users]
    tokens = [t for t in tokens if revoked in (None, t["revoked"])
              and active in (None, "active" if t["active"] else "inactive")]
    return paged(call, tokens, lambda t: t)


@router.route("GET", "/personal_access_tokens/self")
def own_token(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, _token_json(call, call.user))


@router.route("GET", "/personal_access_tokens/{id:int}")
def show_token(call: Call, params: dict[str, str]) -> SimResponse:
    return json_response(200, _token_json(call, _token_owner(call, params["id"])))


@router.route("DELETE", "/personal_access_tokens/{id:int}")
def revoke_token(call: Call, params: dict[str, str]) -> SimResponse:
    user = _token_owner(call, params["id"])
    if user.id in call.facts.revoked_tokens:
        raise message(400, "400 Bad request - Token already revoked")
    call.facts.revoked_tokens.add(user.id)
    audit(call, user, f"Revoked personal access token with id {user.id}")
    return empty_response(204)


# Audit events ---------------------------------------------------------------------------


def _moment(call: Call, name: str) -> datetime | None:
    value = call.arg(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise message(400, f"400 Bad request - {name} is invalid") from None


def _event_json(call: Call, event: AuditEvent) -> dict[str, Any]:
    author = call.state.users.get(event.author_id)
    return {"id": event.id, "author_id": event.author_id, "entity_id": event.entity_id,
            "entity_type": event.entity_type, "event_name": "user_access_changed",
            "details": {"custom_message": event.message,
                        "author_name": display_name(author) if author else "Ghost User",
                        "author_email": author.mail if author else None,
                        "target_id": event.entity_id, "target_type": event.entity_type,
                        "target_details": event.target, "ip_address": "127.0.0.1",
                        "entity_path": event.target},
            "created_at": iso(event.created_at)}


@router.route("GET", "/audit_events")
def list_audit_events(call: Call, _: dict[str, str]) -> SimResponse:
    call.require_admin()
    after, before = _moment(call, "created_after"), _moment(call, "created_before")
    kind, entity = call.arg("entity_type"), to_int(call.arg("entity_id"))
    events = [e for e in reversed(call.facts.audit)
              if (after is None or e.created_at >= after)
              and (before is None or e.created_at <= before)
              and kind in (None, e.entity_type) and entity in (None, e.entity_id)]
    return paged(call, events, lambda e: _event_json(call, e))


@router.route("GET", "/audit_events/{id:int}")
def show_audit_event(call: Call, params: dict[str, str]) -> SimResponse:
    call.require_admin()
    event = next((e for e in call.facts.audit if e.id == int(params["id"])), None)
    if event is None:
        raise not_found()
    return json_response(200, _event_json(call, event))
