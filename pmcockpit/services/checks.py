"""Measuring the facts each automated check needs; core turns them into a verdict.

Network: the connectors, through :func:`pmcockpit.services.health.check_health`
(which also records the health history the monthly availability comes from).
Database: the synced state, read in a thread. Files, the mail server and shell
commands: in threads, each with a timeout, so a hung NFS mount or a command that
never ends cannot stall the run. A measurement that breaks becomes an ERROR
result for that step; the other steps still run. In read-only mode no shell command
runs (it could change anything): the step's evidence says it was skipped and why.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import ColumnElement

from pmcockpit.config import Settings
from pmcockpit.core.checklist import CheckResult, CheckStatus, ParamValue
from pmcockpit.core.checklist.evaluation import (
    SAMPLE_SIZE,
    CertificateExpiry,
    CommandOutcome,
    ConnectionProbe,
    FileAge,
    SmtpGreeting,
    SyncAge,
    Tally,
    evaluate,
)
from pmcockpit.core.i18n import _
from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.core.risk import inactive_before
from pmcockpit.services.health import check_health
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.models import Account, Connection, Project, Ticket

NETWORK_TIMEOUT_S = 90.0
"""Per connection, on top of the connector's own timeouts and retries."""
FILE_TIMEOUT_S = 15.0
OUTPUT_LIMIT_BYTES = 64_000

Params = Mapping[str, ParamValue]
T = TypeVar("T")
WRITING_CHECKS = frozenset({"command"})
"""Checks that may change things: never run in read-only mode."""


CONFIG_PREFIX = "config:"
"""A parameter "config:backup_path" takes that setting's value (the built-in templates'
targets: every machine has its own)."""


def from_config(params: Params, settings: Settings) -> tuple[Params, str | None]:
    """``params`` with each "config:NAME" replaced by the setting; the first setting that
    is not set, if any."""
    resolved: dict[str, ParamValue] = dict(params)
    for key, value in params.items():
        if isinstance(value, str) and value.startswith(CONFIG_PREFIX):
            name = value.removeprefix(CONFIG_PREFIX)
            setting = getattr(settings, name, None)
            if not setting:
                return resolved, name
            resolved[key] = setting
    return resolved, None


class CheckMeasurer:
    """Measures checks for one run. Each connection's health is probed (and recorded)
    once per measurer, however many steps ask about it."""

    def __init__(self, workspace: Workspace, now_utc: datetime) -> None:
        self.workspace = workspace
        self.now_utc = now_utc
        self._health: dict[str, asyncio.Task[HealthFacts]] = {}
        self._measure: Mapping[str, Callable[[Params], Awaitable[object]]] = {
            "tool-reachable": self._probes,
            "tls-expiry": self._certificates,
            "sync-age": self._sync_ages,
            "inactive-accounts": self._tally(self._inactive_accounts),
            "admin-count": self._tally(self._admins),
            "stale-tickets": self._tally(self._stale_tickets),
            "unarchived-projects": self._tally(self._unarchived_projects),
            "recent-file": self._file_age,
            "smtp": self._smtp_greeting,
            "command": self._command_outcome,
        }

    async def measure(self, check: str, params: Params) -> CheckResult:
        params, unset = from_config(params, self.workspace.settings)
        if unset:
            return CheckResult(CheckStatus.WARN, _("not configured"), _(
                "not configured: set {name} in the config (pmcockpit config path says where "
                "it is), or PMCOCKPIT_{variable}").format(name=unset, variable=unset.upper()))
        measure = self._measure.get(check)
        if check in WRITING_CHECKS and self.workspace.read_only:
            return CheckResult(
                CheckStatus.WARN, _("skipped: read-only"),
                _("Not run: pmcockpit is in read-only mode and a shell command could change "
                  "anything. Run it by hand, or run the checklist without read-only mode."))
        if measure is None:
            return CheckResult.error(f"pmcockpit cannot measure the check {check!r}")
        try:
            facts = await measure(params)
        except Exception as error:  # any broken probe is this step's ERROR, not the run's end
            reason = str(error) or type(error).__name__
            return CheckResult.error(f"could not measure {check}: {reason}")
        return evaluate(check, params, facts)

    # --- connections ------------------------------------------------------------------

    async def _connections(self, params: Params) -> list[tuple[str, str, datetime | None]]:
        """(name, url, last sync) of the step's connection, or of all of them."""
        named = params.get("connection")

        def query(session: Session) -> list[tuple[str, str, datetime | None]]:
            rows = select(Connection.name, Connection.url, Connection.last_sync_at)
            if named:
                rows = rows.where(Connection.name == named)
            return [(name, url, synced) for name, url, synced
                    in session.execute(rows.order_by(Connection.name))]

        return await self._read(query)

    async def _health_of(self, name: str) -> HealthFacts:
        if name not in self._health:
            probe = asyncio.wait_for(check_health(self.workspace, name), NETWORK_TIMEOUT_S)
            self._health[name] = asyncio.ensure_future(probe)
        try:
            return await asyncio.shield(self._health[name])
        except TimeoutError:
            return HealthFacts(reachable=False, authenticated=False,
                               error=f"no answer within {NETWORK_TIMEOUT_S:.0f} s")

    async def _probes(self, params: Params) -> list[ConnectionProbe]:
        rows = await self._connections(params)
        facts = await asyncio.gather(*(self._health_of(name) for name, _, _ in rows))
        return [ConnectionProbe(name, health.reachable, health.authenticated,
                                health.latency_ms, health.version, health.error)
                for (name, _, _), health in zip(rows, facts, strict=True)]

    async def _certificates(self, params: Params) -> list[CertificateExpiry]:
        rows = await self._connections(params)
        secure = [name for name, url, _ in rows if url.lower().startswith("https://")]
        facts = dict(zip(secure, await asyncio.gather(*(self._health_of(n) for n in secure)),
                         strict=True))
        certificates = []
        for name, _url, _synced in rows:
            health = facts.get(name)
            if health is None:
                certificates.append(CertificateExpiry(name, None))
            elif health.tls_expires_at is None:
                reason = health.error if not health.reachable else \
                    "the tool answered without a certificate date"
                certificates.append(CertificateExpiry(name, None, error=reason))
            else:
                left = (health.tls_expires_at - self.now_utc).total_seconds()
                certificates.append(CertificateExpiry(name, int(left // 86400)))
        return certificates

    async def _sync_ages(self, params: Params) -> list[SyncAge]:
        return [SyncAge(name, None if synced is None else
                        (self.now_utc - synced).total_seconds() / 3600)
                for name, _, synced in await self._connections(params)]

    # --- the synced state -------------------------------------------------------------

    async def _read(self, query: Callable[[Session], T]) -> T:
        def in_session() -> T:
            with self.workspace.db.session() as session:
                return query(session)

        return await asyncio.to_thread(in_session)

    def _tally(self, facts: Callable[[Session, Params], Tally]
               ) -> Callable[[Params], Awaitable[Tally]]:
        def synced_facts(session: Session, params: Params) -> Tally:
            synced = select(func.count(Connection.id)).where(Connection.last_sync_at.is_not(None))
            if not session.scalar(synced):
                # Zero accounts of nothing synced would read as a pass.
                raise LookupError(_("no tool has been synced yet; run `pmcockpit sync` first"))
            return facts(session, params)

        async def measure(params: Params) -> Tally:
            return await self._read(lambda session: synced_facts(session, params))

        return measure

    def _inactive_accounts(self, session: Session, params: Params) -> Tally:
        cutoff = inactive_before(self.now_utc, _int(params, "days", 90))
        # Only tools that report logins: elsewhere "never logged in" means "not told".
        reporting = select(Account.connection_id).where(Account.last_login_at.is_not(None))
        return _count(session, Account.login, and_(
            Account.status == AccountStatus.ACTIVE.value,
            Account.kind != AccountKind.SERVICE.value,
            Account.connection_id.in_(reporting),
            or_(Account.last_login_at < cutoff,
                and_(Account.last_login_at.is_(None), Account.created_at < cutoff)),
        ), order=Account.last_login_at)

    def _admins(self, session: Session, _params: Params) -> Tally:
        return _count(session, Account.login, and_(
            Account.status == AccountStatus.ACTIVE.value, Account.is_admin.is_(True)))

    def _stale_tickets(self, session: Session, params: Params) -> Tally:
        cutoff = self.now_utc - timedelta(days=_int(params, "days", 30))
        return _count(session, Ticket.key, and_(Ticket.is_closed.is_(False),
                                                Ticket.updated_at < cutoff),
                      order=Ticket.updated_at)

    def _unarchived_projects(self, session: Session, _params: Params) -> Tally:
        return _count(session, Project.name, Project.status == ProjectStatus.CLOSED.value)

    # --- files, mail, commands --------------------------------------------------------

    async def _file_age(self, params: Params) -> FileAge:
        return await asyncio.wait_for(
            asyncio.to_thread(file_age, str(params["path"]), self.now_utc), FILE_TIMEOUT_S)

    async def _smtp_greeting(self, params: Params) -> SmtpGreeting:
        timeout = max(0.1, float(params.get("timeout_s", 5)))
        return await asyncio.to_thread(smtp_greeting, str(params["host"]),
                                       _int(params, "port", 25), timeout)

    async def _command_outcome(self, params: Params) -> CommandOutcome:
        return await asyncio.to_thread(run_command, str(params["run"]),
                                       float(params.get("timeout_s", 30)))


def _int(params: Params, name: str, default: int) -> int:
    value = params.get(name, default)
    return int(value) if isinstance(value, int | float) else default


def _count(session: Session, label: InstrumentedAttribute[str], where: ColumnElement[bool],
           order: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
           | None = None) -> Tally:
    """How many rows of ``label``'s table match, with a few of their labels; the
    connection is named when there are several, since a login alone is ambiguous."""
    table = label.class_
    count = session.scalar(select(func.count()).select_from(table).where(where)) or 0
    query = (select(Connection.name, label).join(Connection, table.connection_id == Connection.id)
             .where(where).order_by(label if order is None else order).limit(SAMPLE_SIZE))
    several = (session.scalar(select(func.count(Connection.id))) or 0) > 1
    return Tally(count, tuple(f"{name} ({connection})" if several else name
                              for connection, name in session.execute(query)))


def file_age(where: str, now_utc: datetime) -> FileAge:
    """Age of ``where``, or of the newest entry directly inside it when it is a folder."""
    path = Path(where).expanduser()
    if not path.exists():
        return FileAge(str(path), exists=False)
    now = now_utc.replace(tzinfo=UTC).timestamp()
    if not path.is_dir():
        return FileAge(str(path), True, max(0.0, now - path.stat().st_mtime) / 3600)
    newest: tuple[float, str] | None = None
    with os.scandir(path) as entries:
        for entry in entries:
            modified = entry.stat().st_mtime
            if newest is None or modified > newest[0]:
                newest = (modified, entry.name)
    if newest is None:
        return FileAge(str(path), True)
    return FileAge(str(path), True, max(0.0, now - newest[0]) / 3600, newest[1])


def smtp_greeting(host: str, port: int, timeout: float) -> SmtpGreeting:
    """Connect, read the greeting (all lines of a multi-line one), say QUIT."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            reader = sock.makefile("rb")
            line = reader.readline(1024)
            text: list[str] = []
            while True:
                decoded = line.decode("utf-8", "replace").rstrip("\r\n")
                if len(decoded) < 3 or not decoded[:3].isdigit():
                    return SmtpGreeting(None, decoded, error=f"not an SMTP greeting: "
                                                             f"{decoded[:80]!r}")
                text.append(decoded[4:])
                if decoded[3:4] != "-":
                    break
                line = reader.readline(1024)
            try:
                sock.sendall(b"QUIT\r\n")
                reader.readline(1024)
            except OSError:
                pass  # the greeting is what we came for
            return SmtpGreeting(int(decoded[:3]), " ".join(text))
    except OSError as error:
        return SmtpGreeting(None, error=str(error) or type(error).__name__)


def run_command(command: str, timeout: float) -> CommandOutcome:
    """Run ``command`` in the shell; on timeout stop it and everything it started."""
    process = subprocess.Popen(command, shell=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return CommandOutcome(None, _decode(output), timed_out=True)
    return CommandOutcome(process.returncode, _decode(output))


def _decode(output: bytes | None) -> str:
    return (output or b"")[-OUTPUT_LIMIT_BYTES:].decode("utf-8", "replace")

