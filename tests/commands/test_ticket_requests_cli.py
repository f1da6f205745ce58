"""`ticket push` and `ticket grant` from the command line, against the simulated Redmine."""

from __future__ import annotations

import json

from pmcockpit.sim import SimTool, serve
from tests.commands.test_ticket_outbox_cli import open_issue, pm, tool
from tests.killpoints import Pm

__all__ = ["pm", "tool"]  # the fixtures, shared


def test_push_a_phoned_request_then_grant_access_on_a_ticket(pm: tuple[Pm, int],
                                                              tool: SimTool) -> None:
    cli, port = pm
    state = tool.state
    project = min((p for p in state.projects.values() if p.status == 1), key=lambda p: p.id)
    added = cli("ticket", "add", "--subject", "New starter needs Redmine",
                "--requester", "Zhao Min")
    assert added.returncode == 0, added.stderr
    local = added.stdout.split()[-1].rstrip(".")
    wrong = cli("ticket", "grant", "rm#1", "--user", "x", "--unlock", "--group", "3")
    assert wrong.returncode == 2 and "exactly one" in wrong.stderr
    with serve(tool, port=port):
        pushed = cli("ticket", "push", local, "--to", "rm", "--project", str(project.id),
                     "--json")
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        created = json.loads(pushed.stdout)
        issue = state.issues[int(created["key"].split("#")[1])]
        assert issue.subject == "New starter needs Redmine" and created["audit_id"]
        shown = cli("ticket", "show", created["key"], "--json")
        assert shown.returncode == 0, shown.stderr
        asked = open_issue(tool)
        locked = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                      if u.status == 3)
        granted = cli("ticket", "grant", f"rm#{asked.id}", "--user", locked.login,
                      "--unlock")
        assert granted.returncode == 0, granted.stdout + granted.stderr
        assert "access granted" in granted.stdout
    assert state.users[locked.id].status == 1
    assert any(j.notes.startswith("Access granted by") for j in asked.journals)
