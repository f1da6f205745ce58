"""Each automated check measured for real, passing and failing: against the simulated
Redmine (through the connector and the synced state), files, a mail server on loopback
and shell commands."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, select

from pmcockpit.connectors.base import Connector, ProbeResult
from pmcockpit.core.checklist import CHECKS, CheckResult, CheckStatus, ParamValue
from pmcockpit.services.checks import CheckMeasurer
from pmcockpit.sim.models import PROJECT_ACTIVE, PROJECT_CLOSED, USER_ACTIVE
from pmcockpit.sim.smtp import SmtpGreeter
from pmcockpit.storage import connections
from pmcockpit.storage.models import HealthCheck
from tests.services.checklist_sim import CONNECTION, SimSetup, sim_setup


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


async def measure(setup: SimSetup, check: str, **params: ParamValue) -> CheckResult:
    measurer = CheckMeasurer(setup.workspace, utc_now())
    return await measurer.measure(check, CHECKS[check].resolve(params))


@pytest.fixture
def setup(tmp_path: Path) -> SimSetup:
    return sim_setup(tmp_path)


# --- the tool itself -----------------------------------------------------------------


async def test_tool_reachable_passes_and_records_the_health_history(setup: SimSetup) -> None:
    result = await measure(setup, "tool-reachable")
    assert result.status is CheckStatus.PASS
    assert result.value == "up"
    assert f"{CONNECTION}: up" in result.message
    with setup.db.session() as session:
        since = utc_now() - timedelta(hours=1)
        assert connections.availability(session, CONNECTION, since) == 1.0


async def test_tool_reachable_fails_on_a_refused_token(tmp_path: Path) -> None:
    setup = sim_setup(tmp_path, token="not-the-token")
    result = await measure(setup, "tool-reachable")
    assert result.status is CheckStatus.FAIL
    assert "refuses our credentials" in result.message
    with setup.db.session() as session:
        since = utc_now() - timedelta(hours=1)
        assert connections.availability(session, CONNECTION, since) == 0.0


async def test_tool_reachable_fails_when_the_tool_does_not_answer(setup: SimSetup) -> None:
    setup.tool.faults.disconnect(times=5)
    result = await measure(setup, "tool-reachable")
    assert (result.status, result.value) == (CheckStatus.FAIL, "down")
    assert "unreachable" in result.message


async def test_tool_reachable_warns_when_slow(setup: SimSetup) -> None:
    setup.tool.faults.latency_ms = 30
    result = await measure(setup, "tool-reachable", max_latency_ms=5)
    assert result.status is CheckStatus.WARN
    assert "slow" in result.message


async def test_a_named_connection_that_does_not_exist_is_an_error(setup: SimSetup) -> None:
    result = await measure(setup, "tool-reachable", connection="jira")
    assert result.status is CheckStatus.ERROR
    assert "no connection named 'jira'" in result.message


async def test_health_is_probed_once_per_run_for_both_network_checks(setup: SimSetup) -> None:
    measurer = CheckMeasurer(setup.workspace, utc_now())
    await measurer.measure("tool-reachable", CHECKS["tool-reachable"].resolve({}))
    await measurer.measure("tls-expiry", CHECKS["tls-expiry"].resolve({}))
    with setup.db.session() as session:
        assert session.scalar(select(func.count(HealthCheck.id))) == 1


class WithCertificate:
    """The sim's connector, reporting a certificate that expires at ``expires``."""

    def __init__(self, inner: Connector, expires: datetime) -> None:
        self.inner = inner
        self.expires = expires

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def probe(self) -> ProbeResult:
        return replace(await self.inner.probe(), tls_expires_at=self.expires)


def with_certificate(tmp_path: Path, days: float) -> SimSetup:
    expires = utc_now() + timedelta(days=days)
    return sim_setup(tmp_path, url="https://redmine.example.org",
                     wrap=lambda inner: cast(Connector, WithCertificate(inner, expires)))


@pytest.mark.parametrize(("days", "status"), [(90.5, CheckStatus.PASS), (20.5, CheckStatus.WARN),
                                              (3.5, CheckStatus.FAIL)])
async def test_tls_expiry_by_days_left(tmp_path: Path, days: float, status: CheckStatus) -> None:
    result = await measure(with_certificate(tmp_path, days), "tls-expiry")
    assert result.status is status
    assert result.value == f"{int(days)} days"


async def test_tls_expiry_over_plain_http_passes(setup: SimSetup) -> None:
    result = await measure(setup, "tls-expiry")
    assert (result.status, result.value) == (CheckStatus.PASS, "skipped: plain HTTP")


# --- the synced state ----------------------------------------------------------------


async def test_sync_age(setup: SimSetup) -> None:
    never = await measure(setup, "sync-age")
    assert (never.status, never.value) == (CheckStatus.FAIL, "never")
    await setup.sync()
    assert (await measure(setup, "sync-age")).status is CheckStatus.PASS
    with setup.db.session() as session:
        connections.record_sync(session, CONNECTION, seconds=1.0, error=None,
                                at=utc_now() - timedelta(hours=30))
    stale = await measure(setup, "sync-age", max_hours=24)
    assert stale.status is CheckStatus.WARN
    assert "the data is stale" in stale.message


async def test_inactive_accounts(setup: SimSetup) -> None:
    state = setup.tool.state
    now = datetime.now(UTC)
    people = [user for user in state.users.values() if user.status == USER_ACTIVE]
    for user in people:
        user.last_login_on = now - timedelta(days=1)
    state.changed()
    await setup.sync()
    assert (await measure(setup, "inactive-accounts", days=90)).status is CheckStatus.PASS
    absent = next(user for user in people if user.login != "admin")
    absent.last_login_on = now - timedelta(days=200)
    state.changed()
    await setup.sync()
    result = await measure(setup, "inactive-accounts", days=90)
    assert (result.status, result.value) == (CheckStatus.WARN, "1 account")
    assert absent.login in result.message


async def test_admin_count(setup: SimSetup) -> None:
    unsynced = await measure(setup, "admin-count")
    assert unsynced.status is CheckStatus.ERROR
    assert "no tool has been synced yet" in unsynced.message
    await setup.sync()
    admins = sorted(user.login for user in setup.tool.state.users.values()
                    if user.admin and user.status == USER_ACTIVE)
    within = await measure(setup, "admin-count", max=len(admins))
    assert (within.status, within.value) == (CheckStatus.PASS, f"{len(admins)} admin"
                                             + ("s" if len(admins) != 1 else ""))
    over = await measure(setup, "admin-count", max=0)
    assert over.status is CheckStatus.WARN
    assert admins[0] in over.message


async def test_stale_tickets(setup: SimSetup) -> None:
    state = setup.tool.state
    await setup.sync()
    assert (await measure(setup, "stale-tickets", days=36500)).status is CheckStatus.PASS
    open_issue = next(issue for issue in state.issues.values()
                      if not state.statuses[issue.status_id].is_closed)
    open_issue.updated_on = datetime.now(UTC) - timedelta(days=40_000)
    state.changed()
    # A tool never moves a ticket's update time back: only a full sync reads it again.
    await setup.sync(full=True)
    result = await measure(setup, "stale-tickets", days=36500)
    assert (result.status, result.value) == (CheckStatus.WARN, "1 ticket")
    assert f"#{open_issue.id}" in result.message


async def test_unarchived_projects(setup: SimSetup) -> None:
    projects = setup.tool.state.projects.values()
    for project in projects:
        if project.status == PROJECT_CLOSED:
            project.status = PROJECT_ACTIVE
    setup.tool.state.changed()
    await setup.sync()
    assert (await measure(setup, "unarchived-projects")).status is CheckStatus.PASS
    finished = next(iter(projects))
    finished.status = PROJECT_CLOSED
    setup.tool.state.changed()
    await setup.sync()
    result = await measure(setup, "unarchived-projects")
    assert (result.status, result.value) == (CheckStatus.WARN, "1 project")
    assert finished.name in result.message


# --- files, mail, commands -----------------------------------------------------------


async def test_recent_file(setup: SimSetup, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    assert (await measure(setup, "recent-file", path=str(backups))).value == "missing"
    backups.mkdir()
    empty = await measure(setup, "recent-file", path=str(backups))
    assert (empty.status, empty.value) == (CheckStatus.FAIL, "empty")
    dump = backups / "db-2026-11-20.sql.gz"
    dump.write_bytes(b"backup")
    fresh = await measure(setup, "recent-file", path=str(backups))
    assert fresh.status is CheckStatus.PASS
    assert dump.name in fresh.message
    old = datetime.now().timestamp() - 30 * 3600
    os.utime(dump, (old, old))
    stale = await measure(setup, "recent-file", path=str(backups), max_age_hours=26)
    assert (stale.status, stale.value) == (CheckStatus.FAIL, "30 h old")
    assert (await measure(setup, "recent-file", path=str(dump), max_age_hours=48)).status \
        is CheckStatus.PASS


async def test_smtp(setup: SimSetup) -> None:
    with SmtpGreeter() as smtp:
        result = await measure(setup, "smtp", host=smtp.host, port=smtp.port)
    assert (result.status, result.value) == (
        CheckStatus.PASS, "mail server answered (220 pmcockpit-sim ESMTP ready)")
    assert "ESMTP" in result.message
    with SmtpGreeter(greeting="554 5.3.2 no service") as refusing:
        refused = await measure(setup, "smtp", host=refusing.host, port=refusing.port)
    assert (refused.status, refused.value) == (CheckStatus.FAIL, "554")
    closed = await measure(setup, "smtp", host="127.0.0.1", port=refusing.port, timeout_s=2)
    assert (closed.status, closed.value) == (CheckStatus.FAIL, "no answer")


async def test_command(setup: SimSetup) -> None:
    ok = await measure(setup, "command", run="echo all good")
    assert (ok.status, ok.value) == (CheckStatus.PASS, "exit 0")
    assert "all good" in ok.message
    failed = await measure(setup, "command", run="echo disk full >&2; exit 3")
    assert (failed.status, failed.value) == (CheckStatus.FAIL, "exit 3")
    assert "disk full" in failed.message
    slow = await measure(setup, "command", run="sleep 5", timeout_s=0.3)
    assert (slow.status, slow.value) == (CheckStatus.FAIL, "timed out")


async def test_read_only_mode_runs_no_command(setup: SimSetup, tmp_path: Path) -> None:
    marker = tmp_path / "written"
    setup.workspace.settings = replace(setup.workspace.settings, read_only=True)
    result = await measure(setup, "command", run=f"touch {marker}")
    assert not marker.exists()
    assert (result.status, result.value) == (CheckStatus.WARN, "skipped: read-only")
    assert result.message.startswith("Not run: pmcockpit is in read-only mode")


async def test_a_probe_that_breaks_is_an_error_not_a_crash(tmp_path: Path) -> None:
    def broken(_inner: Connector) -> Connector:
        raise RuntimeError("keyring locked")

    result = await measure(sim_setup(tmp_path, wrap=broken), "tool-reachable")
    assert result.status is CheckStatus.ERROR
    assert "keyring locked" in result.message
