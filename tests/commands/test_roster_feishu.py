"""``pmcockpit roster import --from-feishu CONNECTION``: the Feishu directory as the HR
roster, from the command line against the simulated Feishu on loopback."""

from __future__ import annotations

from pmcockpit.sim import SimTool, serve
from pmcockpit.sim.dialects.feishu.core import feishu_facts
from tests.commands.conftest import Cli


def test_roster_from_feishu_names_who_resigned(cli: Cli) -> None:
    tool = SimTool("feishu", seed=7, scale=40)
    resigned = {u.login for u in tool.state.users.values()
                if u.id in feishu_facts(tool.state).resigned}
    with serve(tool) as running:
        added = cli("connect", "add", "hr", "--kind", "feishu", "--url", running.url,
                    *[w for k, v in tool.connector_options.items()
                      for w in ("--option", f"{k}={v}")], "--token-stdin",
                    input=tool.token + "\n")
        assert added.exit_code == 0, added.output
        done = cli("roster", "import", "--from-feishu", "hr")
    assert done.exit_code == 0, done.output
    assert "Imported" in done.output and "feishu:hr" in done.output
    shown = cli("roster", "show", "--left")
    assert shown.exit_code == 0 and resigned
    assert all(login in shown.output for login in resigned)


def test_roster_from_a_tool_that_is_not_feishu_is_refused(cli: Cli) -> None:
    tool = SimTool("zentao", seed=7, scale=30)
    with serve(tool) as running:
        added = cli("connect", "add", "zt", "--kind", "zentao", "--url", running.url,
                    "--option", "account=admin", "--token-stdin", input=tool.token + "\n")
        assert added.exit_code == 0, added.output
        refused = cli("roster", "import", "--from-feishu", "zt")
    assert refused.exit_code == 1
    assert "not a Feishu connection" in refused.output


def test_act_list_offers_zentao_and_feishu_actions_and_names_the_gaps(cli: Cli) -> None:
    zentao, feishu = SimTool("zentao", seed=7, scale=30), SimTool("feishu", seed=7, scale=30)
    with serve(zentao) as zt, serve(feishu) as fs:
        for name, tool, running in (("zt", zentao, zt), ("fs", feishu, fs)):
            added = cli("connect", "add", name, "--kind", tool.dialect.name, "--url",
                        running.url, *[w for k, v in tool.connector_options.items()
                                       for w in ("--option", f"{k}={v}")],
                        "--token-stdin", input=tool.token + "\n")
            assert added.exit_code == 0, added.output
        listed = cli("act", "--list")
    assert listed.exit_code == 0, listed.output
    assert "zt (zentao):" in listed.output and "fs (feishu):" in listed.output
    zt_part, fs_part = (listed.output.split("zt (zentao):")[1].split("fs (feishu):")[0],
                        listed.output.split("fs (feishu):")[1].split("zt (zentao):")[0])
    assert "cannot lock an account" in zt_part
    assert "PUT /projects/:id sets only" in zt_part  # adding or removing a team member
    assert "not offered" in fs_part and "lock-user" in fs_part
