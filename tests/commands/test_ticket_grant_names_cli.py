"""`ticket grant` and `ticket push` by names, from the command line (simulated Redmine)."""

from __future__ import annotations

from pmcockpit.sim import SimTool, serve
from tests.commands.test_ticket_outbox_cli import open_issue, pm, tool
from tests.killpoints import Pm

__all__ = ["pm", "tool"]  # the fixtures, shared


def test_grant_by_names_and_a_refusal_that_lists_the_roles(pm: tuple[Pm, int],
                                                           tool: SimTool) -> None:
    cli, port = pm
    state = tool.state
    with serve(tool, port=port):
        assert cli("sync").returncode == 0
        asked = open_issue(tool)
        project = state.projects[asked.project_id]
        user = next(u for u in sorted(state.users.values(), key=lambda u: u.id)
                    if u.status == 1 and u.mail and state.member_of(project.id, u.id) is None)
        refused = cli("ticket", "grant", f"rm#{asked.id}", "--user", user.mail,
                      "--membership", project.identifier, "--roles", "Wizard")
        assert refused.returncode == 1 and "no role 'Wizard'" in refused.stderr
        assert "Developer" in refused.stderr
        planned = cli("ticket", "grant", f"rm#{asked.id}", "--user", user.mail,
                      "--membership", project.name, "--roles", "developer", "--dry-run")
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert "as Developer" in planned.stdout and "POST /projects/" in planned.stdout
        assert state.member_of(project.id, user.id) is None  # a dry run changes nothing
        granted = cli("ticket", "grant", f"rm#{asked.id}", "--user", user.mail,
                      "--membership", project.name, "--roles", "developer")
        assert granted.returncode == 0, granted.stdout + granted.stderr
    member = state.member_of(project.id, user.id)
    developer = next(r.id for r in state.roles.values() if r.name == "Developer")
    assert member is not None and developer in member.direct_role_ids
