"""RedmineConnector actions against Redmine-shaped answers (respx): plan, capture, execute."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from pmcockpit.connectors.base import ConnectionConfig, PlannedCall
from pmcockpit.connectors.errors import NotSupported, Rejected
from pmcockpit.connectors.redmine import RedmineConnector
from pmcockpit.core.actions import Action, ActionKind, JSONValue, inverse
from tests.connectors import redmine_payloads as rp
from tests.connectors.redmine_routes import URL, redmine_router, sent_json

ALICE_INHERITED_ONLY = rp.APOLLO_MEMBERSHIPS["memberships"][1]
BOB_MIXED = rp.APOLLO_MEMBERSHIPS["memberships"][2]
CAROL_DIRECT = rp.APOLLO_MEMBERSHIPS["memberships"][3]


@pytest.fixture
def router() -> respx.Router:
    router = redmine_router()
    for body in (ALICE_INHERITED_ONLY, BOB_MIXED, CAROL_DIRECT):
        router.get(f"/memberships/{body['id']}.json").respond(json={"membership": body})
    router.get("/users/6.json").respond(json={"user": {**rp.BOB, "status": 1}})
    router.get("/users/7.json").respond(json={"user": {**rp.CAROL, "status": 3}})
    router.get("/users/1.json").respond(json={"user": {**rp.ADMIN, "status": 1}})
    return router


@pytest.fixture
async def redmine(router: respx.Router) -> AsyncIterator[RedmineConnector]:
    config = ConnectionConfig("redmine-prod", "redmine", URL, rp.API_KEY)
    connector = RedmineConnector(config, transport=httpx.MockTransport(router.handler))
    yield connector
    await connector.aclose()


def act(kind: ActionKind, target: str, reason: str = "audit", **params: JSONValue) -> Action:
    return Action(kind, "redmine-prod", target, params=params, reason=reason)


async def test_lock_user(redmine: RedmineConnector, router: respx.Router) -> None:
    lock = act(ActionKind.LOCK_USER, "6")
    assert await redmine.plan(lock) == [
        PlannedCall("PUT", "/users/6.json", {"user": {"status": 3}}, "lock bob")]
    before = await redmine.capture(lock)
    assert before["status"] == "active"
    put = router.put("/users/6.json").respond(204)
    assert await redmine.execute(lock) == {}
    assert sent_json(put) == {"user": {"status": 3}}
    undo = inverse(lock, before)
    assert undo is not None and undo.kind is ActionKind.UNLOCK_USER


async def test_unlock_user(redmine: RedmineConnector, router: respx.Router) -> None:
    put = router.put("/users/7.json").respond(204)
    await redmine.execute(act(ActionKind.UNLOCK_USER, "7"))
    assert sent_json(put) == {"user": {"status": 1}}


async def test_refuses_to_lock_the_tokens_own_account(redmine: RedmineConnector,
                                                      router: respx.Router) -> None:
    put = router.put("/users/1.json").respond(204)
    for step in (redmine.plan, redmine.capture, redmine.execute):
        with pytest.raises(Rejected, match="refusing to lock admin: it is the account "
                                           "pmcockpit's token belongs to; you would lose "
                                           "API access"):
            await step(act(ActionKind.LOCK_USER, "1"))
    assert not put.called


async def test_locking_a_locked_user_is_refused(redmine: RedmineConnector) -> None:
    with pytest.raises(Rejected, match="carol is already locked"):
        await redmine.plan(act(ActionKind.LOCK_USER, "7"))


async def test_deactivation_is_not_supported(redmine: RedmineConnector) -> None:
    with pytest.raises(NotSupported, match="lock the user instead"):
        await redmine.plan(act(ActionKind.DEACTIVATE_USER, "6"))
    with pytest.raises(NotSupported):
        await redmine.execute(act(ActionKind.ACTIVATE_USER, "6"))


async def test_remove_direct_membership(redmine: RedmineConnector,
                                        router: respx.Router) -> None:
    remove = act(ActionKind.REMOVE_MEMBERSHIP, "103")
    [call] = await redmine.plan(remove)
    assert (call.method, call.path) == ("DELETE", "/memberships/103.json")
    before = await redmine.capture(remove)
    assert before == {"project_id": "1", "principal_id": "7", "role_ids": [5],
                      "membership_id": "103"}
    delete = router.delete("/memberships/103.json").respond(204)
    await redmine.execute(remove)
    assert delete.called
    undo = inverse(remove, before)
    assert undo is not None and undo.kind is ActionKind.ADD_MEMBERSHIP
    assert (undo.target_id, undo.params) == ("1", {"principal_id": "7", "role_ids": [5]})


async def test_membership_only_through_a_group_is_refused(redmine: RedmineConnector,
                                                          router: respx.Router) -> None:
    delete = router.delete("/memberships/101.json").respond(422)
    for step in (redmine.plan, redmine.capture, redmine.execute):
        with pytest.raises(Rejected) as caught:
            await step(act(ActionKind.REMOVE_MEMBERSHIP, "101"))
        assert str(caught.value) == (
            "Alice Archer's access to Apollo comes from group Developers: remove the "
            "group's membership or remove Alice Archer from the group")
    assert not delete.called


async def test_422_with_empty_body_on_delete_explains_inheritance(
        redmine: RedmineConnector, router: respx.Router) -> None:
    """The membership gained a group role between reading and deleting."""
    router.delete("/memberships/103.json").respond(422)
    with pytest.raises(Rejected, match="Carol Cook's access to Apollo is inherited"):
        await redmine.execute(act(ActionKind.REMOVE_MEMBERSHIP, "103"))


async def test_removing_a_mixed_membership_drops_only_the_direct_roles(
        redmine: RedmineConnector, router: respx.Router) -> None:
    remove = act(ActionKind.REMOVE_MEMBERSHIP, "102")
    [call] = await redmine.plan(remove)
    assert (call.method, call.path, call.body) == (
        "PUT", "/memberships/102.json", {"membership": {"role_ids": []}})
    assert "group Developers stay" in call.note
    assert (await redmine.capture(remove))["role_ids"] == [3]
    put = router.put("/memberships/102.json").respond(204)
    await redmine.execute(remove)
    assert sent_json(put) == {"membership": {"role_ids": []}}


async def test_add_membership(redmine: RedmineConnector, router: respx.Router) -> None:
    created = {"membership": {"id": 150, "project": {"id": 2, "name": "Gemini"},
                              "user": {"id": 7, "name": "Carol Cook"},
                              "roles": [{"id": 4, "name": "Developer"}]}}
    post = router.post("/projects/2/memberships.json").respond(201, json=created)
    add = act(ActionKind.ADD_MEMBERSHIP, "2", principal_id="7", role_ids=[4])
    assert [c.method for c in await redmine.plan(add)] == ["POST"]
    assert await redmine.execute(add) == {"membership_id": "150"}
    assert sent_json(post) == {"membership": {"user_id": 7, "role_ids": [4]}}


async def test_add_membership_to_someone_already_inheriting_extends_it(
        redmine: RedmineConnector, router: respx.Router) -> None:
    put = router.put("/memberships/101.json").respond(204)
    add = act(ActionKind.ADD_MEMBERSHIP, "1", principal_id="5", role_ids=[3])
    [call] = await redmine.plan(add)
    assert (call.method, call.path) == ("PUT", "/memberships/101.json")
    assert await redmine.execute(add) == {"membership_id": "101"}
    assert sent_json(put) == {"membership": {"role_ids": [3]}}


async def test_set_membership_roles(redmine: RedmineConnector, router: respx.Router) -> None:
    change = act(ActionKind.SET_MEMBERSHIP_ROLES, "102", role_ids=[5, 3])
    before = await redmine.capture(change)
    assert before["role_ids"] == [3]
    put = router.put("/memberships/102.json").respond(204)
    await redmine.execute(change)
    assert sent_json(put) == {"membership": {"role_ids": [3, 5]}}
    undo = inverse(change, before)
    assert undo is not None and undo.params == {"role_ids": [3]}


async def test_group_membership_changes(redmine: RedmineConnector,
                                        router: respx.Router) -> None:
    post = router.post("/groups/21/users.json").respond(204)
    await redmine.execute(act(ActionKind.ADD_GROUP_MEMBER, "21", user_id="5"))
    assert sent_json(post) == {"user_id": 5}
    delete = router.delete("/groups/20/users/6.json").respond(204)
    await redmine.execute(act(ActionKind.REMOVE_GROUP_MEMBER, "20", user_id="6"))
    assert delete.called
    with pytest.raises(Rejected, match="user 5 is already in group Developers"):
        await redmine.plan(act(ActionKind.ADD_GROUP_MEMBER, "20", user_id="5"))
    with pytest.raises(Rejected, match="user 5 is not in group Ops"):
        await redmine.plan(act(ActionKind.REMOVE_GROUP_MEMBER, "21", user_id="5"))


async def test_create_ticket(redmine: RedmineConnector, router: respx.Router) -> None:
    created = {"issue": rp.issue(77, (1, "New", False), rp.T0)}
    post = router.post("/issues.json").respond(201, json=created)
    create = act(ActionKind.CREATE_TICKET, "1", reason="", subject="VPN down",
                 description="since 9:00", assignee_id="6")
    assert await redmine.execute(create) == {"ticket_id": "77", "key": "#77"}
    assert sent_json(post) == {"issue": {"project_id": 1, "subject": "VPN down",
                                         "description": "since 9:00", "assigned_to_id": 6}}


async def test_add_comment(redmine: RedmineConnector, router: respx.Router) -> None:
    put = router.put("/issues/11.json").respond(204)
    await redmine.execute(act(ActionKind.ADD_COMMENT, "11", body="On it"))
    assert sent_json(put) == {"issue": {"notes": "On it"}}


def issue_answers(router: respx.Router, *statuses: tuple[int, str, bool]) -> respx.Route:
    return router.get("/issues/11.json").mock(side_effect=[
        httpx.Response(200, json={"issue": rp.issue(11, s, rp.T0)}) for s in statuses])


async def test_set_ticket_status_by_name(redmine: RedmineConnector,
                                         router: respx.Router) -> None:
    issue_answers(router, (1, "New", False), (1, "New", False), (5, "Closed", True))
    change = act(ActionKind.SET_TICKET_STATUS, "11", status="closed")
    before = await redmine.capture(change)
    assert before == {"status": "New", "status_id": 1}
    put = router.put("/issues/11.json").respond(204)
    assert await redmine.execute(change) == {"status": "Closed", "status_id": 5}
    assert sent_json(put) == {"issue": {"status_id": 5}}
    undo = inverse(change, before)
    assert undo is not None and undo.params == {"status": "New"}


async def test_status_change_dropped_by_the_workflow_is_reported(
        redmine: RedmineConnector, router: respx.Router) -> None:
    issue_answers(router, (1, "New", False), (1, "New", False))
    router.put("/issues/11.json").respond(204)
    with pytest.raises(Rejected, match="kept #11 at New: its workflow for Bug does not allow "
                                       "New → Resolved"):
        await redmine.execute(act(ActionKind.SET_TICKET_STATUS, "11", status="Resolved"))


async def test_unknown_status_lists_the_known_ones(redmine: RedmineConnector) -> None:
    with pytest.raises(Rejected, match="no ticket status 'Done'; it has: New, In Progress"):
        await redmine.plan(act(ActionKind.SET_TICKET_STATUS, "11", status="Done"))


async def test_assign_and_unassign(redmine: RedmineConnector, router: respx.Router) -> None:
    assigned = rp.issue(11, (1, "New", False), rp.T0, assignee={"id": 6, "name": "Bob Baker"})
    router.get("/issues/11.json").respond(json={"issue": assigned})
    put = router.put("/issues/11.json").respond(204)
    assign = act(ActionKind.ASSIGN_TICKET, "11", assignee_id="7")
    before = await redmine.capture(assign)
    assert before == {"assignee_id": "6"}
    await redmine.execute(assign)
    assert sent_json(put) == {"issue": {"assigned_to_id": 7}}
    await redmine.execute(act(ActionKind.ASSIGN_TICKET, "11", assignee_id=None))
    assert sent_json(put) == {"issue": {"assigned_to_id": ""}}


async def test_ids_must_be_numbers(redmine: RedmineConnector) -> None:
    with pytest.raises(Rejected, match="must be a Redmine id"):
        await redmine.plan(act(ActionKind.LOCK_USER, "bob"))

