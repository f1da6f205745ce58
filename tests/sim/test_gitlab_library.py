"""An administrator's script on GitLab's own client library (python-gitlab) against the
simulated GitLab over loopback: the calls GitLab's REST docs describe, answered as the
product answers them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from pmcockpit.sim.dialects.gitlab import gitlab_facts
from pmcockpit.sim.dialects.gitlab.facts import project_path
from pmcockpit.sim.models import USER_ACTIVE, Journal
from pmcockpit.sim.server import serve
from pmcockpit.sim.tool import SimTool

gitlab = pytest.importorskip("gitlab")


@pytest.fixture
def served() -> Iterator[tuple[SimTool, Any]]:
    tool = SimTool(dialect="gitlab", seed=7, scale=60)
    with serve(tool) as running:
        yield tool, gitlab.Gitlab(running.url, private_token=tool.token)


def _busiest_path(tool: SimTool) -> str:
    counts = Counter(i.project_id for i in tool.state.issues.values())
    project = tool.state.projects[counts.most_common(1)[0][0]]
    return project_path(gitlab_facts(tool.state), project)


def _someone(tool: SimTool) -> int:
    return next(u.id for u in sorted(tool.state.users.values(), key=lambda u: u.id)
                if u.status == USER_ACTIVE and not u.admin and tool.state.groups_of(u.id))


def test_labels_notes_and_discussions(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    project = gl.projects.get(_busiest_path(tool))  # by its namespaced path
    issue = project.issues.list(get_all=False, per_page=1, state="opened")[0]
    before = len(issue.notes.list(get_all=True))
    issue.labels = ["security", "audit"]
    issue.save()
    project.issues.update(issue.iid, {"add_labels": "q3", "remove_labels": "audit"})
    again = project.issues.get(issue.iid)
    assert {"security", "q3"} <= set(again.labels) and "audit" not in again.labels
    assert len(again.notes.list(get_all=True)) == before  # label changes are not notes
    events = [(e.action, e.label["name"]) for e in again.resourcelabelevents.list(get_all=True)]
    assert events == [("add", "security"), ("add", "audit"), ("remove", "audit"),
                      ("add", "q3")]
    assert project.issues.list(labels="q3", get_all=True)[0].iid == issue.iid
    assert {"security", "q3"} <= {label.name for label in project.labels.list(get_all=True)}
    internal = again.notes.create({"body": "Checked the access log.", "internal": True})
    assert internal.internal is True
    assert again.notes.get(internal.id).body == "Checked the access log."
    thread = again.discussions.create({"body": "Who approved this?"})
    assert not thread.individual_note  # a thread from the start, as GitLab makes it
    assert thread.attributes["notes"][0]["body"] == "Who approved this?"
    assert again.discussions.get(thread.id).id == thread.id
    assert len(again.discussions.list(get_all=True)) == len(again.notes.list(get_all=True))


def test_every_seeded_note_has_an_author(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    issue = next(i for i in tool.state.issues.values() if i.journals)
    issue.journals.append(Journal(10**6, 10**6, "From someone long gone.", issue.updated_on))
    facts = gitlab_facts(tool.state)
    project = gl.projects.get(issue.project_id)
    notes = project.issues.get(facts.iid(issue)).notes.list(get_all=True)
    assert all(note.author["username"] for note in notes)
    assert any(note.author["username"] == "ghost" for note in notes)


def test_groups_users_tokens_and_audit(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    group = next(g for g in gl.groups.list(get_all=True) if g.projects.list(get_all=True))
    assert gl.groups.get(group.full_path).id == group.id  # a group by its path too
    assert group.subgroups.list(get_all=True) == []  # the seeded groups are top-level
    user = gl.users.get(_someone(tool))
    memberships = user.memberships.list(get_all=True)
    assert {m.source_type for m in memberships} <= {"Project", "Namespace"} and memberships
    user.ban()
    assert gl.users.get(user.id).state == "banned"
    with pytest.raises(gitlab.exceptions.GitlabBanError):
        user.ban()
    user.unban()
    assert gl.users.get(user.id).state == "active"
    token = gl.personal_access_tokens.list(user_id=user.id, get_all=True)[0]
    assert token.user_id == user.id and token.active
    gl.personal_access_tokens.delete(token.id)
    assert gl.personal_access_tokens.get(token.id).revoked
    events = [e.details["custom_message"] for e in gl.audit_events.list(get_all=True)]
    assert events[:3] == [f"Revoked personal access token with id {token.id}",
                          "Unbanned user", "Banned user"]


def test_a_revoked_token_is_refused(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    user = tool.state.users[_someone(tool)]
    gl.personal_access_tokens.delete(user.id)
    theirs = gitlab.Gitlab(gl.url, private_token=user.api_key)
    with pytest.raises(gitlab.exceptions.GitlabAuthenticationError):
        theirs.auth()


def test_replies_inside_a_discussion(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    project = gl.projects.get(_busiest_path(tool))
    issue = project.issues.list(get_all=False, per_page=1, state="opened")[0]
    thread = issue.discussions.create({"body": "Who approved this?"})
    answer = thread.notes.create({"body": "The team lead, on Monday."})
    assert answer.type == "DiscussionNote" and answer.body == "The team lead, on Monday."
    again = issue.discussions.get(thread.id)
    assert [n["body"] for n in again.attributes["notes"]] == [
        "Who approved this?", "The team lead, on Monday."]
    assert len(issue.notes.list(get_all=True)) == len(
        [n for d in issue.discussions.list(get_all=True) for n in d.attributes["notes"]])
    # Replying to a plain comment turns it into a thread.
    comment = issue.notes.create({"body": "Noted."})
    single = next(d for d in issue.discussions.list(get_all=True)
                  if d.attributes["notes"][0]["id"] == comment.id)
    assert single.individual_note
    single.notes.create({"body": "Thanks."})
    made = issue.discussions.get(single.id)
    assert not made.individual_note and len(made.attributes["notes"]) == 2
    assert issue.notes.get(comment.id).type == "DiscussionNote"
    with pytest.raises(gitlab.exceptions.GitlabCreateError):
        issue.discussions.get("0" * 40, lazy=True).notes.create({"body": "Lost."})
    system = next((d for d in issue.discussions.list(get_all=True)
                   if d.attributes["notes"][0]["system"]), None)
    if system is not None:
        with pytest.raises(gitlab.exceptions.GitlabCreateError):
            system.notes.create({"body": "Not here."})


def test_subgroups_nest_with_their_full_path(served: tuple[SimTool, Any]) -> None:
    tool, gl = served
    parent = next(g for g in gl.groups.list(get_all=True) if g.projects.list(get_all=True))
    child = gl.groups.create({"name": "Security", "path": "security",
                              "parent_id": parent.id})
    grandchild = gl.groups.create({"name": "Audits", "path": "audits",
                                   "parent_id": child.id})
    assert child.full_path == f"{parent.full_path}/security" and child.parent_id == parent.id
    assert grandchild.full_path == f"{parent.full_path}/security/audits"
    assert grandchild.full_name == f"{parent.name} / Security / Audits"
    assert gl.groups.get(grandchild.full_path).id == grandchild.id  # by its namespaced path
    assert [g.id for g in parent.subgroups.list(get_all=True)] == [child.id]
    assert {g.id for g in parent.descendant_groups.list(get_all=True)} == {
        child.id, grandchild.id}
    assert all(g.parent_id is None for g in gl.groups.list(top_level_only=True, get_all=True))
    with pytest.raises(gitlab.exceptions.GitlabCreateError):
        gl.groups.create({"name": "Again", "path": "security", "parent_id": parent.id})
    # Members of the groups above are members of the subgroup too ("all").
    direct = {m.id for m in grandchild.members.list(get_all=True)}
    inherited = {m.id for m in grandchild.members_all.list(get_all=True)}
    assert direct < inherited and {m.id for m in parent.members.list(get_all=True)} <= inherited
    # Only a Maintainer of the parent may add a subgroup there.
    someone = tool.state.users[_someone(tool)]
    outsider = gitlab.Gitlab(gl.url, private_token=someone.api_key)
    with pytest.raises(gitlab.exceptions.GitlabCreateError) as refused:
        outsider.groups.create({"name": "Mine", "path": "mine", "parent_id": grandchild.id})
    assert refused.value.response_code == 403
