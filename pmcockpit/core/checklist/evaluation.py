"""Turning a check's measured facts into a pass/warn/fail verdict with evidence.

The caller measures (probes the connections, counts in the database, stats the
backup directory, talks to the mail server, runs the command) and hands the
facts in; the thresholds and the wording live here, so they can be tested
without any of that. Each ``evaluate_*`` takes the step's params (defaults are
filled in from the catalogue when missing) and the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pmcockpit.core.checklist.checks import CHECKS, CheckResult, CheckStatus, ParamValue

SAMPLE_SIZE = 5
OUTPUT_TAIL_CHARS = 400


@dataclass(frozen=True, slots=True)
class ConnectionProbe:
    """One connection's answer to a plain authenticated request."""

    connection: str
    reachable: bool
    authenticated: bool = False
    latency_ms: float | None = None
    version: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateExpiry:
    connection: str
    days_left: int | None
    """None when the connection is plain http, so there is no certificate."""
    error: str | None = None
    """Set when the certificate could not be read."""


@dataclass(frozen=True, slots=True)
class SyncAge:
    connection: str
    hours_since: float | None
    """None when the connection has never been synced."""


@dataclass(frozen=True, slots=True)
class Tally:
    """A count with a few example names, for the accounts/tickets/projects checks."""

    count: int
    sample: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileAge:
    path: str
    exists: bool
    age_hours: float | None = None
    """Age of the file, or of the newest file in the directory; None for an empty one."""
    newest: str | None = None
    """For a directory: the newest file's name."""


@dataclass(frozen=True, slots=True)
class SmtpGreeting:
    code: int | None
    text: str = ""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    exit_code: int | None
    output: str = ""
    timed_out: bool = False


Params = Mapping[str, ParamValue]
Status = CheckStatus


def evaluate_tool_reachable(params: Params, probes: Sequence[ConnectionProbe]) -> CheckResult:
    limit = _number(params, "tool-reachable", "max_latency_ms")
    if not probes:
        return _nothing_to_check(params)
    lines: list[tuple[CheckStatus, str]] = []
    for probe in probes:
        detail = f" ({probe.error})" if probe.error else ""
        if not probe.reachable:
            lines.append((Status.FAIL, f"{probe.connection}: unreachable{detail}"))
        elif not probe.authenticated:
            lines.append((Status.FAIL, f"{probe.connection}: answers but refuses our "
                                       f"credentials{detail}; renew the API token"))
        else:
            version = f", version {probe.version}" if probe.version else ""
            latency = probe.latency_ms or 0.0
            if latency > limit:
                lines.append((Status.WARN, f"{probe.connection}: slow, {latency:.0f} ms "
                                           f"(limit {limit:.0f} ms){version}"))
            else:
                lines.append((Status.PASS, f"{probe.connection}: up, {latency:.0f} ms{version}"))
    up = sum(1 for probe in probes if probe.reachable and probe.authenticated)
    single = "up" if up else "down"
    value = single if len(probes) == 1 else f"{up} of {len(probes)} up"
    return _combine(lines, value)


def evaluate_tls_expiry(params: Params, certificates: Sequence[CertificateExpiry]) -> CheckResult:
    warn_days = _number(params, "tls-expiry", "warn_days")
    fail_days = _number(params, "tls-expiry", "fail_days")
    if not certificates:
        return _nothing_to_check(params)
    lines: list[tuple[CheckStatus, str]] = []
    for cert in certificates:
        name, days = cert.connection, cert.days_left
        if cert.error:
            lines.append((Status.ERROR, f"{name}: could not read the certificate ({cert.error})"))
        elif days is None:
            lines.append((Status.PASS, f"{name}: not TLS"))
        elif days < 0:
            lines.append((Status.FAIL, f"{name}: certificate expired {-days} days ago"))
        elif days <= fail_days:
            lines.append((Status.FAIL, f"{name}: certificate expires in {_days(days)}; renew now"))
        elif days <= warn_days:
            lines.append((Status.WARN, f"{name}: certificate expires in {_days(days)}; "
                                       "plan the renewal"))
        else:
            lines.append((Status.PASS, f"{name}: certificate valid for {_days(days)}"))
    known = [cert.days_left for cert in certificates if cert.days_left is not None]
    value = _days(min(known)) if known else "not TLS"
    return _combine(lines, value)


def evaluate_sync_age(params: Params, ages: Sequence[SyncAge]) -> CheckResult:
    max_hours = _number(params, "sync-age", "max_hours")
    if not ages:
        return _nothing_to_check(params)
    lines: list[tuple[CheckStatus, str]] = []
    for age in ages:
        if age.hours_since is None:
            lines.append((Status.FAIL, f"{age.connection}: never synced; run a sync"))
        elif age.hours_since > max_hours:
            lines.append((Status.WARN, f"{age.connection}: last synced {_hours(age.hours_since)} "
                                       f"ago (limit {_hours(max_hours)}); the data is stale"))
        else:
            lines.append((Status.PASS, f"{age.connection}: synced {_hours(age.hours_since)} ago"))
    synced = [age.hours_since for age in ages if age.hours_since is not None]
    value = "never" if len(synced) < len(ages) else f"{_hours(max(synced))} ago"
    return _combine(lines, value)


def evaluate_inactive_accounts(params: Params, tally: Tally) -> CheckResult:
    days = int(_number(params, "inactive-accounts", "days"))
    wording = _Wording("account", f"active account has not logged in for {days} days",
                       f"active accounts have not logged in for {days} days",
                       f"Every active account has logged in within {days} days.",
                       "lock or deactivate the ones who have left")
    fail_count = _resolved(params, "inactive-accounts").get("fail_count")
    if isinstance(fail_count, int) and tally.count > fail_count:
        return _counted(Status.FAIL, tally, wording, f"more than {fail_count}")
    return _threshold(params, "inactive-accounts", tally, wording)


def evaluate_admin_count(params: Params, tally: Tally) -> CheckResult:
    limit = int(_number(params, "admin-count", "max"))
    value = _plural(tally.count, "admin")
    names = _sample(tally)
    if tally.count > limit:
        return CheckResult(Status.WARN, value,
                           f"{value} (limit {limit}){names}; review who still needs admin rights")
    return CheckResult(Status.PASS, value, f"{value}, within the limit of {limit}{names}")


def evaluate_stale_tickets(params: Params, tally: Tally) -> CheckResult:
    days = int(_number(params, "stale-tickets", "days"))
    wording = _Wording("ticket", f"open ticket has not been updated for {days} days",
                       f"open tickets have not been updated for {days} days",
                       f"Every open ticket was updated within {days} days.",
                       "nudge their assignees or close them")
    return _threshold(params, "stale-tickets", tally, wording)


def evaluate_unarchived_projects(params: Params, tally: Tally) -> CheckResult:
    wording = _Wording("project", "finished project is not archived yet",
                       "finished projects are not archived yet",
                       "Every finished project is archived.", "archive them")
    return _threshold(params, "unarchived-projects", tally, wording)


def evaluate_recent_file(params: Params, file: FileAge) -> CheckResult:
    limit = _number(params, "recent-file", "max_age_hours")
    if not file.exists:
        return CheckResult(Status.FAIL, "missing", f"{file.path} does not exist")
    if file.age_hours is None:
        return CheckResult(Status.FAIL, "empty", f"{file.path} holds no files")
    where = f"{file.path}/{file.newest}" if file.newest else file.path
    value = f"{_hours(file.age_hours)} old"
    if file.age_hours > limit:
        return CheckResult(Status.FAIL, value,
                           f"{where} is {value} (limit {_hours(limit)}); the last backup "
                           "did not run or did not finish")
    return CheckResult(Status.PASS, value, f"{where} was written {_hours(file.age_hours)} ago")


def evaluate_smtp(params: Params, greeting: SmtpGreeting) -> CheckResult:
    resolved = _resolved(params, "smtp")
    server = f"{resolved.get('host', '?')}:{resolved.get('port', 25)}"
    if greeting.error or greeting.code is None:
        reason = greeting.error or "no greeting"
        return CheckResult(Status.FAIL, "no answer", f"{server} did not answer: {reason}")
    text = f" {greeting.text.strip()}" if greeting.text.strip() else ""
    if greeting.code == 220:
        return CheckResult(Status.PASS, "220", f"{server} answered 220{text}")
    return CheckResult(Status.FAIL, str(greeting.code),
                       f"{server} answered {greeting.code}{text} instead of 220")


def evaluate_command(params: Params, outcome: CommandOutcome) -> CheckResult:
    timeout = _number(params, "command", "timeout_s")
    tail = _tail(outcome.output)
    shown = f"\n{tail}" if tail else ""
    if outcome.timed_out:
        return CheckResult(Status.FAIL, "timed out",
                           f"stopped after {timeout:g} s without finishing{shown}")
    if outcome.exit_code == 0:
        return CheckResult(Status.PASS, "exit 0", f"exited with status 0{shown}")
    return CheckResult(Status.FAIL, f"exit {outcome.exit_code}",
                       f"exited with status {outcome.exit_code}{shown}")


_EVALUATORS: Mapping[str, tuple[type, bool, Callable[..., CheckResult]]] = {
    # check name -> (fact type, whether a sequence of them, evaluator)
    "tool-reachable": (ConnectionProbe, True, evaluate_tool_reachable),
    "tls-expiry": (CertificateExpiry, True, evaluate_tls_expiry),
    "sync-age": (SyncAge, True, evaluate_sync_age),
    "inactive-accounts": (Tally, False, evaluate_inactive_accounts),
    "admin-count": (Tally, False, evaluate_admin_count),
    "stale-tickets": (Tally, False, evaluate_stale_tickets),
    "unarchived-projects": (Tally, False, evaluate_unarchived_projects),
    "recent-file": (FileAge, False, evaluate_recent_file),
    "smtp": (SmtpGreeting, False, evaluate_smtp),
    "command": (CommandOutcome, False, evaluate_command),
}


def evaluate(check: str, params: Params, facts: object) -> CheckResult:
    """Evaluate by check name, for callers that dispatch on the step's ``check``.

    Raises TypeError when ``facts`` are not what the check measures: that is a
    bug in the caller, not a finding about the tool.
    """
    if check not in _EVALUATORS:
        raise KeyError(f"unknown check {check!r}")
    fact_type, many, evaluator = _EVALUATORS[check]
    items = list(facts) if many and isinstance(facts, Sequence) else [facts]
    if (many and not isinstance(facts, Sequence)) or not all(
            isinstance(item, fact_type) for item in items):
        shape = f"a sequence of {fact_type.__name__}" if many else fact_type.__name__
        raise TypeError(f"{check} evaluates {shape}, got {type(facts).__name__}")
    return evaluator(params, facts)


def _resolved(params: Params, check: str) -> dict[str, ParamValue]:
    return CHECKS[check].resolve(params)


def _number(params: Params, check: str, name: str) -> float:
    value = _resolved(params, check).get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{check} needs a number for {name!r}, got {value!r}")
    return value


def _nothing_to_check(params: Params) -> CheckResult:
    named = params.get("connection")
    if named:
        return CheckResult.error(f"no connection named {named!r}; check the step's params")
    return CheckResult.error("no connections are set up yet")


def _combine(lines: Sequence[tuple[CheckStatus, str]], value: str) -> CheckResult:
    """One verdict for several connections: the worst status, problems listed first."""
    status = max((status for status, _ in lines), key=lambda s: s.rank)
    ordered = sorted(lines, key=lambda line: -line[0].rank)
    return CheckResult(status, value, "\n".join(text for _, text in ordered))


@dataclass(frozen=True, slots=True)
class _Wording:
    """How a count check talks about what it counted."""

    noun: str
    one: str
    many: str
    none: str
    advice: str


def _threshold(params: Params, check: str, tally: Tally, wording: _Wording) -> CheckResult:
    limit = int(_number(params, check, "max_count"))
    if tally.count > limit:
        allowed = "none allowed" if limit == 0 else f"limit {limit}"
        return _counted(Status.WARN, tally, wording, allowed)
    if tally.count == 0:
        return CheckResult(Status.PASS, f"0 {wording.noun}s", wording.none)
    return _counted(Status.PASS, tally, wording, f"within the limit of {limit}")


def _counted(status: CheckStatus, tally: Tally, wording: _Wording, limit: str) -> CheckResult:
    phrase = wording.one if tally.count == 1 else wording.many
    advice = f"; {wording.advice}" if status is not Status.PASS else ""
    return CheckResult(status, _plural(tally.count, wording.noun),
                       f"{tally.count} {phrase} ({limit}){_sample(tally)}{advice}")


def _sample(tally: Tally) -> str:
    if not tally.sample:
        return ""
    shown = list(tally.sample[:SAMPLE_SIZE])
    more = tally.count - len(shown)
    suffix = f" and {more} more" if more > 0 else ""
    return f": {', '.join(shown)}{suffix}"


def _tail(output: str) -> str:
    text = output.strip()
    if len(text) <= OUTPUT_TAIL_CHARS:
        return text
    return "…" + text[-OUTPUT_TAIL_CHARS:]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _days(days: float) -> str:
    return _plural(int(days), "day")


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} min"
    return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"
