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
from pmcockpit.core.i18n import _, ngettext

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
    lines = [_probe_line(probe, limit) for probe in probes]
    up = sum(1 for probe in probes if probe.reachable and probe.authenticated)
    if len(probes) == 1:
        value = _("up") if up else _("down")
    else:
        value = ngettext("{up} of {count} up", "{up} of {count} up", len(probes)).format(
            up=up, count=len(probes))
    return _combine(lines, value)


def _probe_line(probe: ConnectionProbe, limit: float) -> tuple[CheckStatus, str]:
    name, error, version = probe.connection, probe.error, probe.version
    if not probe.reachable:
        text = _("{connection}: unreachable ({error})") if error else \
            _("{connection}: unreachable")
        return Status.FAIL, text.format(connection=name, error=error)
    if not probe.authenticated:
        text = _("{connection}: answers but refuses our credentials ({error}); renew the API "
                 "token") if error else \
            _("{connection}: answers but refuses our credentials; renew the API token")
        return Status.FAIL, text.format(connection=name, error=error)
    latency = f"{probe.latency_ms or 0.0:.0f}"
    if (probe.latency_ms or 0.0) > limit:
        text = _("{connection}: slow, {latency} ms (limit {limit} ms), version {version}") \
            if version else _("{connection}: slow, {latency} ms (limit {limit} ms)")
        return Status.WARN, text.format(connection=name, latency=latency, limit=f"{limit:.0f}",
                                        version=version)
    text = _("{connection}: up, {latency} ms, version {version}") if version else \
        _("{connection}: up, {latency} ms")
    return Status.PASS, text.format(connection=name, latency=latency, version=version)


def evaluate_tls_expiry(params: Params, certificates: Sequence[CertificateExpiry]) -> CheckResult:
    warn_days = _number(params, "tls-expiry", "warn_days")
    fail_days = _number(params, "tls-expiry", "fail_days")
    if not certificates:
        return _nothing_to_check(params)
    lines = [_certificate_line(cert, warn_days, fail_days) for cert in certificates]
    known = [cert.days_left for cert in certificates if cert.days_left is not None]
    value = _days(min(known)) if known else _("skipped: plain HTTP")
    return _combine(lines, value)


def _certificate_line(cert: CertificateExpiry, warn_days: float,
                      fail_days: float) -> tuple[CheckStatus, str]:
    name, days = cert.connection, cert.days_left
    if cert.error:
        return Status.ERROR, _("{connection}: could not read the certificate ({error})").format(
            connection=name, error=cert.error)
    if days is None:
        return Status.PASS, _("{connection}: skipped: plain HTTP, no certificate").format(
            connection=name)
    if days < 0:
        return Status.FAIL, ngettext("{connection}: certificate expired {count} day ago",
                                     "{connection}: certificate expired {count} days ago",
                                     -days).format(connection=name, count=-days)
    if days <= fail_days:
        return Status.FAIL, _("{connection}: certificate expires in {days}; renew now").format(
            connection=name, days=_days(days))
    if days <= warn_days:
        return Status.WARN, _("{connection}: certificate expires in {days}; plan the "
                              "renewal").format(connection=name, days=_days(days))
    return Status.PASS, _("{connection}: certificate valid for {days}").format(
        connection=name, days=_days(days))


def evaluate_sync_age(params: Params, ages: Sequence[SyncAge]) -> CheckResult:
    max_hours = _number(params, "sync-age", "max_hours")
    if not ages:
        return _nothing_to_check(params)
    lines: list[tuple[CheckStatus, str]] = []
    for age in ages:
        name = age.connection
        if age.hours_since is None:
            lines.append((Status.FAIL, _("{connection}: never synced; run a sync").format(
                connection=name)))
        elif age.hours_since > max_hours:
            lines.append((Status.WARN, _("{connection}: last synced {age} ago (limit {limit}); "
                                         "the data is stale").format(
                connection=name, age=_hours(age.hours_since), limit=_hours(max_hours))))
        else:
            lines.append((Status.PASS, _("{connection}: synced {age} ago").format(
                connection=name, age=_hours(age.hours_since))))
    synced = [age.hours_since for age in ages if age.hours_since is not None]
    value = _("never") if len(synced) < len(ages) else \
        _("{age} ago").format(age=_hours(max(synced)))
    return _combine(lines, value)


def evaluate_inactive_accounts(params: Params, tally: Tally) -> CheckResult:
    days = int(_number(params, "inactive-accounts", "days"))
    period = _days(days)
    wording = _Wording(
        lambda n: ngettext("{count} account", "{count} accounts", n).format(count=n),
        lambda n: ngettext("{count} active account has not logged in for {period}",
                           "{count} active accounts have not logged in for {period}",
                           n).format(count=n, period=period),
        _("Every active account has logged in within {period}.").format(period=period),
        _("lock or deactivate the ones who have left"))
    fail_count = _resolved(params, "inactive-accounts").get("fail_count")
    if isinstance(fail_count, int) and tally.count > fail_count:
        return _counted(Status.FAIL, tally, wording,
                        _("more than {limit}").format(limit=fail_count))
    return _threshold(params, "inactive-accounts", tally, wording)


def evaluate_admin_count(params: Params, tally: Tally) -> CheckResult:
    limit = int(_number(params, "admin-count", "max"))
    value = ngettext("{count} admin", "{count} admins", tally.count).format(count=tally.count)
    if tally.count > limit:
        message = _with_sample(_("{admins} (limit {limit})").format(admins=value, limit=limit),
                               tally)
        return CheckResult(Status.WARN, value, _("{message}; {advice}").format(
            message=message, advice=_("review who still needs admin rights")))
    return CheckResult(Status.PASS, value, _with_sample(
        _("{admins}, within the limit of {limit}").format(admins=value, limit=limit), tally))


def evaluate_stale_tickets(params: Params, tally: Tally) -> CheckResult:
    period = _days(int(_number(params, "stale-tickets", "days")))
    wording = _Wording(
        lambda n: ngettext("{count} ticket", "{count} tickets", n).format(count=n),
        lambda n: ngettext("{count} open ticket has not been updated for {period}",
                           "{count} open tickets have not been updated for {period}",
                           n).format(count=n, period=period),
        _("Every open ticket was updated within {period}.").format(period=period),
        _("nudge their assignees or close them"))
    return _threshold(params, "stale-tickets", tally, wording)


def evaluate_unarchived_projects(params: Params, tally: Tally) -> CheckResult:
    wording = _Wording(
        lambda n: ngettext("{count} project", "{count} projects", n).format(count=n),
        lambda n: ngettext("{count} finished project is not archived yet",
                           "{count} finished projects are not archived yet", n).format(count=n),
        _("Every finished project is archived."), _("archive them"))
    return _threshold(params, "unarchived-projects", tally, wording)


def evaluate_recent_file(params: Params, file: FileAge) -> CheckResult:
    limit = _number(params, "recent-file", "max_age_hours")
    if not file.exists:
        return CheckResult(Status.FAIL, _("missing"),
                           _("{path} does not exist").format(path=file.path))
    if file.age_hours is None:
        return CheckResult(Status.FAIL, _("empty"),
                           _("{path} holds no files").format(path=file.path))
    where = f"{file.path}/{file.newest}" if file.newest else file.path
    value = _("{age} old").format(age=_hours(file.age_hours))
    if file.age_hours > limit:
        return CheckResult(Status.FAIL, value, _(
            "{path} is {age} (limit {limit}); the last backup did not run or did not finish"
        ).format(path=where, age=value, limit=_hours(limit)))
    return CheckResult(Status.PASS, value, _("{path} was written {age} ago").format(
        path=where, age=_hours(file.age_hours)))


def evaluate_smtp(params: Params, greeting: SmtpGreeting) -> CheckResult:
    resolved = _resolved(params, "smtp")
    server = f"{resolved.get('host', '?')}:{resolved.get('port', 25)}"
    if greeting.error or greeting.code is None:
        reason = greeting.error or _("no greeting")
        return CheckResult(Status.FAIL, _("no answer"), _("{server} did not answer: {reason}")
                           .format(server=server, reason=reason))
    # The server's own words, after its code: "220 mail ESMTP Postfix".
    reply = " ".join(part for part in (str(greeting.code), greeting.text.strip()) if part)
    if greeting.code == 220:
        return CheckResult(Status.PASS, _("mail server answered ({reply})").format(
            reply=reply), _("mail server {server} answered ({reply})").format(server=server,
                                                                          reply=reply))
    return CheckResult(Status.FAIL, str(greeting.code), _(
        "{server} answered {reply} instead of 220").format(server=server, reply=reply))


def evaluate_command(params: Params, outcome: CommandOutcome) -> CheckResult:
    timeout = _number(params, "command", "timeout_s")
    tail = _tail(outcome.output)
    shown = f"\n{tail}" if tail else ""
    if outcome.timed_out:
        return CheckResult(Status.FAIL, _("timed out"),
                           _("stopped after {seconds} s without finishing").format(
                               seconds=f"{timeout:g}") + shown)
    code = outcome.exit_code
    status = Status.PASS if code == 0 else Status.FAIL
    return CheckResult(status, _("exit {code}").format(code=code),
                       _("exited with status {code}").format(code=code) + shown)


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
        raise ValueError(_("{check} needs a number for {param}, got {value}").format(
            check=check, param=repr(name), value=repr(value)))
    return value


def _nothing_to_check(params: Params) -> CheckResult:
    named = params.get("connection")
    if named:
        return CheckResult.error(_("no connection named {name}; check the step's params").format(
            name=repr(named)))
    return CheckResult.error(_("no connections are set up yet"))


def _combine(lines: Sequence[tuple[CheckStatus, str]], value: str) -> CheckResult:
    """One verdict for several connections: the worst status, problems listed first."""
    status = max((status for status, _ in lines), key=lambda s: s.rank)
    ordered = sorted(lines, key=lambda line: -line[0].rank)
    return CheckResult(status, value, "\n".join(text for _, text in ordered))


@dataclass(frozen=True, slots=True)
class _Wording:
    """How a count check talks about what it counted: whole sentences, one per count."""

    counted: Callable[[int], str]
    """The short figure: "3 accounts"."""
    finding: Callable[[int], str]
    """What the count means: "3 active accounts have not logged in for 90 days"."""
    none: str
    advice: str


def _threshold(params: Params, check: str, tally: Tally, wording: _Wording) -> CheckResult:
    limit = int(_number(params, check, "max_count"))
    if tally.count > limit:
        return _counted(Status.WARN, tally, wording, _("limit {limit}").format(limit=limit))
    if tally.count == 0:
        return CheckResult(Status.PASS, wording.counted(0), wording.none)
    return _counted(Status.PASS, tally, wording,
                    _("within the limit of {limit}").format(limit=limit))


def _counted(status: CheckStatus, tally: Tally, wording: _Wording, limit: str) -> CheckResult:
    # Translators: a finding and its limit, "3 admins (limit 2)".
    message = _with_sample(_("{finding} ({limit})").format(finding=wording.finding(tally.count),
                                                          limit=limit), tally)
    if status is not Status.PASS:
        message = _("{message}; {advice}").format(message=message, advice=wording.advice)
    return CheckResult(status, wording.counted(tally.count), message)


def _with_sample(message: str, tally: Tally) -> str:
    """``message`` followed by a few of the names counted, and how many more."""
    if not tally.sample:
        return message
    shown = list(tally.sample[:SAMPLE_SIZE])
    more = tally.count - len(shown)
    names = ", ".join(shown)
    if more > 0:
        names = ngettext("{names} and {count} more", "{names} and {count} more", more).format(
            names=names, count=more)
    # Translators: a finding, then some of the names it counted.
    return _("{message}: {names}").format(message=message, names=names)


def _tail(output: str) -> str:
    text = output.strip()
    if len(text) <= OUTPUT_TAIL_CHARS:
        return text
    return "…" + text[-OUTPUT_TAIL_CHARS:]


def _days(days: float) -> str:
    count = int(days)
    return ngettext("{count} day", "{count} days", count).format(count=count)


def _hours(hours: float) -> str:
    if hours < 1:
        minutes = round(hours * 60)
        return ngettext("{count} min", "{count} min", minutes).format(count=minutes)
    shown = f"{hours:.0f}" if hours >= 10 or hours == int(hours) else f"{hours:.1f}"
    # Translators: hours, abbreviated ("2.5 h"); not always a whole number.
    return _("{hours} h").format(hours=shown)
