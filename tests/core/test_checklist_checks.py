"""The checks catalogue, parameter validation, and the verdicts drawn from measured facts."""

from __future__ import annotations

import pytest

from pmcockpit.core.checklist.checks import CHECKS, CheckResult, CheckStatus, validate_params
from pmcockpit.core.checklist.evaluation import (
    CertificateExpiry,
    CommandOutcome,
    ConnectionProbe,
    FileAge,
    SmtpGreeting,
    SyncAge,
    Tally,
    evaluate,
    evaluate_admin_count,
    evaluate_command,
    evaluate_inactive_accounts,
    evaluate_recent_file,
    evaluate_smtp,
    evaluate_stale_tickets,
    evaluate_sync_age,
    evaluate_tls_expiry,
    evaluate_tool_reachable,
    evaluate_unarchived_projects,
)

PASS, WARN, FAIL, ERROR = CheckStatus.PASS, CheckStatus.WARN, CheckStatus.FAIL, CheckStatus.ERROR


def test_catalogue_names_and_schemas() -> None:
    assert sorted(CHECKS) == [
        "admin-count", "command", "inactive-accounts", "recent-file", "smtp", "stale-tickets",
        "sync-age", "tls-expiry", "tool-reachable", "unarchived-projects"]
    for name, check in CHECKS.items():
        assert check.name == name and check.title and check.description
        for spec in check.params:
            assert spec.help
            assert not (spec.required and spec.default is not None)
    assert [spec.name for spec in CHECKS["recent-file"].params if spec.required] == ["path"]
    assert CHECKS["tls-expiry"].resolve({}) == {"warn_days": 30, "fail_days": 7}
    assert CHECKS["tool-reachable"].param("connection") is not None


def test_validate_params() -> None:
    assert validate_params("smtp", {"host": "mail.example.org"}) == []
    assert validate_params("sync-age", {"max_hours": 1.5}) == []  # numbers take floats
    assert validate_params("smtp", {}) == [
        "smtp needs the parameter 'host' (Mail server host name)"]
    assert validate_params("stale-tickets", {"dayz": 3}) == [
        "unknown parameter 'dayz' for stale-tickets; did you mean 'days'? "
        "(it takes: days, max_count)"]
    assert validate_params("stale-tickets", {"days": True}) == [
        "parameter 'days' of stale-tickets must be an integer, not a boolean (true)"]
    assert validate_params("stale-tickets", {"days": 2.5}) == [
        "parameter 'days' of stale-tickets must be an integer, not a number (2.5)"]
    assert validate_params("command", {"run": "  "}) == ["parameter 'run' of command is empty"]
    assert validate_params("tls-expiry", {"warn_days": 5}) == [
        "parameter 'warn_days' of tls-expiry (5) must not be below 'fail_days' (7)"]
    assert validate_params("inactive-accounts", {"max_count": 10, "fail_count": 2}) == [
        "parameter 'fail_count' of inactive-accounts (2) must not be below 'max_count' (10)"]
    assert validate_params("no-such-check", {}) == ["unknown check 'no-such-check'"]


def probe(name: str, latency: float = 100, reachable: bool = True,
          authenticated: bool = True, error: str | None = None) -> ConnectionProbe:
    return ConnectionProbe(name, reachable, authenticated, latency, "5.1.2", error)


def test_tool_reachable() -> None:
    result = evaluate_tool_reachable({}, [probe("redmine")])
    assert result == CheckResult(PASS, "up", "redmine: up, 100 ms, version 5.1.2")
    slow = evaluate_tool_reachable({"max_latency_ms": 500}, [probe("jira", 900)])
    assert slow.status is WARN
    assert "slow, 900 ms (limit 500 ms)" in slow.message
    result = evaluate_tool_reachable({}, [
        probe("redmine"),
        probe("gitlab", reachable=False, authenticated=False, error="connection refused"),
        probe("jira", authenticated=False, error="401"),
    ])
    assert (result.status, result.value) == (FAIL, "1 of 3 up")
    lines = result.message.splitlines()
    assert lines[0] == "gitlab: unreachable (connection refused)"
    assert lines[1].startswith("jira: answers but refuses our credentials (401)")
    assert lines[2].startswith("redmine: up")
    assert evaluate_tool_reachable({}, []).status is ERROR
    missing = evaluate_tool_reachable({"connection": "svn"}, [])
    assert "no connection named 'svn'" in missing.message


def test_tls_expiry() -> None:
    def verdict(days: int | None) -> CheckResult:
        return evaluate_tls_expiry({}, [CertificateExpiry("redmine", days)])

    assert verdict(None) == CheckResult(PASS, "skipped: plain HTTP",
                                        "redmine: skipped: plain HTTP, no certificate")
    assert verdict(90).status is PASS
    assert (verdict(30).status, verdict(30).value) == (WARN, "30 days")
    assert verdict(7).status is FAIL
    assert "renew now" in verdict(1).message
    assert "expired 3 days ago" in verdict(-3).message
    mixed = evaluate_tls_expiry({}, [CertificateExpiry("a", 200), CertificateExpiry("b", 20),
                                     CertificateExpiry("c", None, error="handshake failed")])
    assert (mixed.status, mixed.value) == (ERROR, "20 days")


def test_sync_age() -> None:
    ok = evaluate_sync_age({}, [SyncAge("redmine", 2.5)])
    assert (ok.status, ok.value, ok.message) == (PASS, "2.5 h ago", "redmine: synced 2.5 h ago")
    stale = evaluate_sync_age({"max_hours": 12}, [SyncAge("redmine", 30)])
    assert stale.status is WARN and "limit 12 h" in stale.message
    never = evaluate_sync_age({}, [SyncAge("redmine", 1), SyncAge("jira", None)])
    assert (never.status, never.value) == (FAIL, "never")
    assert "jira: never synced" in never.message
    assert evaluate_sync_age({}, [SyncAge("a", 0.25)]).value == "15 min ago"


def test_inactive_accounts() -> None:
    none = evaluate_inactive_accounts({"days": 3}, Tally(0))
    assert none == CheckResult(PASS, "0 accounts",
                               "Every active account has logged in within 3 days.")
    some = evaluate_inactive_accounts({}, Tally(7, ("ann", "bo", "cy", "di", "ed", "flo")))
    assert (some.status, some.value) == (WARN, "7 accounts")
    assert some.message == ("7 active accounts have not logged in for 90 days (limit 0): "
                            "ann, bo, cy, di, ed and 2 more; lock or deactivate the ones who "
                            "have left")
    one = evaluate_inactive_accounts({"max_count": 0}, Tally(1, ("ann",)))
    assert one.message.startswith("1 active account has not logged in for 90 days")
    within = evaluate_inactive_accounts({"max_count": 3}, Tally(2))
    assert within.status is PASS and "within the limit of 3" in within.message
    many = evaluate_inactive_accounts({"max_count": 3, "fail_count": 10}, Tally(11))
    assert many.status is FAIL and "(more than 10)" in many.message


def test_admin_count() -> None:
    assert evaluate_admin_count({}, Tally(5)).status is PASS
    result = evaluate_admin_count({"max": 2}, Tally(3, ("root", "ann", "bo")))
    assert result == CheckResult(WARN, "3 admins", "3 admins (limit 2): root, ann, bo; "
                                                   "review who still needs admin rights")


def test_stale_tickets_and_unarchived_projects() -> None:
    stale = evaluate_stale_tickets({"days": 30}, Tally(1, ("#12",)))
    assert stale.status is WARN
    assert stale.message == ("1 open ticket has not been updated for 30 days (limit 0): "
                             "#12; nudge their assignees or close them")
    assert evaluate_stale_tickets({}, Tally(0)).message == \
        "Every open ticket was updated within 30 days."
    projects = evaluate_unarchived_projects({"max_count": 1}, Tally(2, ("Apollo", "Zeus")))
    assert projects == CheckResult(WARN, "2 projects", "2 finished projects are not archived "
                                                       "yet (limit 1): Apollo, Zeus; archive them")


def test_recent_file() -> None:
    params = {"path": "/var/backups/pm-tool"}
    missing = evaluate_recent_file(params, FileAge("/var/backups/pm-tool", exists=False))
    assert (missing.status, missing.value) == (FAIL, "missing")
    empty = evaluate_recent_file(params, FileAge("/var/backups/pm-tool", exists=True))
    assert (empty.status, empty.message) == (FAIL, "/var/backups/pm-tool holds no files")
    fresh = evaluate_recent_file(params, FileAge("/var/backups/pm-tool", True, 5.0, "db.gz"))
    assert fresh == CheckResult(PASS, "5 h old", "/var/backups/pm-tool/db.gz was written "
                                                 "5 h ago")
    old = evaluate_recent_file(params, FileAge("/var/backups/pm-tool", True, 49.0, "db.gz"))
    assert (old.status, old.value) == (FAIL, "49 h old")
    assert "(limit 26 h)" in old.message


def test_smtp() -> None:
    params = {"host": "localhost"}
    ok = evaluate_smtp(params, SmtpGreeting(220, "mail ESMTP Postfix"))
    assert ok == CheckResult(
        PASS, "mail server answered (220 mail ESMTP Postfix)",
        "mail server localhost:25 answered (220 mail ESMTP Postfix)")
    busy = evaluate_smtp(params, SmtpGreeting(421, "too busy"))
    assert (busy.status, busy.value) == (FAIL, "421")
    assert "instead of 220" in busy.message
    down = evaluate_smtp({"host": "mx", "port": 587},
                         SmtpGreeting(None, error="connection refused"))
    assert down == CheckResult(FAIL, "no answer", "mx:587 did not answer: connection refused")


def test_command() -> None:
    params = {"run": "check-disk"}
    assert evaluate_command(params, CommandOutcome(0, "ok\n")) == CheckResult(
        PASS, "exit 0", "exited with status 0\nok")
    failed = evaluate_command(params, CommandOutcome(2, "x" * 1000 + "disk full"))
    assert (failed.status, failed.value) == (FAIL, "exit 2")
    assert failed.message.endswith("disk full") and len(failed.message) < 450
    timed_out = evaluate_command(params, CommandOutcome(None, timed_out=True))
    assert (timed_out.status, timed_out.message) == (FAIL, "stopped after 30 s without "
                                                           "finishing")


def test_evaluate_dispatches_by_name_and_refuses_the_wrong_facts() -> None:
    assert evaluate("admin-count", {}, Tally(1)).status is PASS
    assert evaluate("sync-age", {}, [SyncAge("a", 1)]).status is PASS
    with pytest.raises(TypeError, match="sync-age evaluates a sequence of SyncAge"):
        evaluate("sync-age", {}, SyncAge("a", 1))
    with pytest.raises(TypeError, match="smtp evaluates SmtpGreeting"):
        evaluate("smtp", {"host": "x"}, Tally(1))
    with pytest.raises(KeyError):
        evaluate("ping", {}, Tally(1))


def test_error_result_for_a_probe_that_broke() -> None:
    assert CheckResult.error("timeout reading the database") == CheckResult(
        ERROR, "error", "timeout reading the database")
    assert max([PASS, ERROR, WARN], key=lambda status: status.rank) is ERROR
