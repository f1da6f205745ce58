"""``pmcockpit sim``: roster and serve, through click's test runner."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmcockpit.commands import sim as sim_command
from pmcockpit.sim import server as sim_server
from pmcockpit.sim.org import ROSTER_HEADER
from pmcockpit.sim.tool import SimTool


def test_roster_writes_the_csv(tmp_path: Path) -> None:
    target = tmp_path / "roster.csv"
    result = CliRunner().invoke(sim_command.sim, ["roster", str(target), "--scale", "40"])
    assert result.exit_code == 0, result.output
    assert "Wrote 40 people" in result.output
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40 and tuple(rows[0]) == ROSTER_HEADER


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in ([], ["serve"], ["roster"]):
        result = runner.invoke(sim_command.sim, [*args, "--help"])
        assert result.exit_code == 0
        assert len(result.output.splitlines()) > 5


def test_serve_prints_url_and_token_and_stops_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[SimTool] = []

    def fake_serve_forever(tool: SimTool, host: str, port: int,
                           on_ready: Callable[[str], None] | None = None,
                           log: Callable[[str], None] | None = None) -> None:
        served.append(tool)
        assert on_ready is not None
        on_ready(f"http://{host}:{port}")
        raise KeyboardInterrupt  # what Ctrl+C does to the real server

    monkeypatch.setattr(sim_server, "serve_forever", fake_serve_forever)
    roster = tmp_path / "roster.csv"
    result = CliRunner().invoke(sim_command.sim, [
        "serve", "--port", "4567", "--scale", "30", "--token", "t0ken",
        "--latency-ms", "20", "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    assert "at http://127.0.0.1:4567" in result.output
    assert "API token (admin): t0ken" in result.output
    assert str(roster) in result.output and roster.exists()
    assert "Traceback" not in result.output
    (tool,) = served
    assert tool.token == "t0ken" and tool.faults.latency_ms == 20
    assert len(tool.org.employees) == 30


def test_serve_makes_up_a_random_token(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens: list[str] = []

    def fake_serve_forever(tool: SimTool, host: str, port: int,
                           on_ready: Callable[[str], None] | None = None,
                           log: Callable[[str], None] | None = None) -> None:
        tokens.append(tool.token)

    monkeypatch.setattr(sim_server, "serve_forever", fake_serve_forever)
    runner = CliRunner()
    for _ in range(2):
        assert runner.invoke(sim_command.sim, ["serve", "--scale", "20"]).exit_code == 0
    assert len(set(tokens)) == 2 and all(len(t) == 40 for t in tokens)


@pytest.mark.parametrize("dialect", ["zentao", "feishu"])
def test_serve_prints_a_connect_line_that_works(
        dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sim serve --dialect zentao|feishu`` prints a ``connect add`` line whose options,
    with the printed token, sign in to the simulated tool."""
    import asyncio
    import shlex

    from pmcockpit.connectors import registry
    from pmcockpit.connectors.base import ConnectionConfig

    served: list[SimTool] = []

    def fake_serve_forever(tool: SimTool, host: str, port: int,
                           on_ready: Callable[[str], None] | None = None,
                           log: Callable[[str], None] | None = None) -> None:
        served.append(tool)
        assert on_ready is not None
        on_ready(f"http://{host}:{port}")
        raise KeyboardInterrupt

    monkeypatch.setattr(sim_server, "serve_forever", fake_serve_forever)
    result = CliRunner().invoke(sim_command.sim, [
        "serve", "--dialect", dialect, "--port", "4567", "--scale", "30", "--token", "t0ken"])
    assert result.exit_code == 0, result.output
    line = next(text for text in result.output.splitlines() if "connect add" in text)
    words = shlex.split(line.split(": ", 1)[1])
    assert words[:7] == ["pmcockpit", "connect", "add", f"sim-{dialect}", "--kind", dialect,
                         "--url"] and words[7] == "http://127.0.0.1:4567"
    options = dict(words[i + 1].split("=", 1) for i, word in enumerate(words)
                   if word == "--option")
    (tool,) = served
    connector = registry.open_connector(
        ConnectionConfig(f"sim-{dialect}", dialect, tool.url, "t0ken", options),
        transport=tool.transport())

    async def sign_in() -> bool:
        try:
            return (await connector.current_account()).is_admin
        finally:
            await connector.aclose()

    assert asyncio.run(sign_in()) is True
