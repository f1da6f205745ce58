"""The demo: a throwaway database connected to simulated tools, with some history.

Every simulated tool is built from one seeded organisation, so the same people
appear in Redmine, Jira and GitLab. Everything goes through the real code
paths: the real connectors (over the simulator's in-process transport), sync,
health checks and the audited action runner. Nothing real is touched: no
network, no keyring, no config file, not the user's database.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path

from pmcockpit.config import Settings
from pmcockpit.connectors.base import ConnectionConfig, Connector
from pmcockpit.connectors.registry import CONNECTOR_KINDS, open_connector
from pmcockpit.core.actions import Action, ActionKind
from pmcockpit.core.checklist import StepState
from pmcockpit.core.checklist import runs as rules
from pmcockpit.core.clock import to_local, utcnow
from pmcockpit.core.i18n import N_, _, current_locale
from pmcockpit.core.records import AccountKind
from pmcockpit.core.review import Exemption
from pmcockpit.services import review
from pmcockpit.services.actions import ActionRunner
from pmcockpit.services.checklist import RunDetail, local_now, open_current_run
from pmcockpit.services.demo_queue import note_demo_pauses, seed_demo_queue
from pmcockpit.services.health import check_all
from pmcockpit.services.rollout_demo import seed_demo_rollouts
from pmcockpit.services.sync import sync_all
from pmcockpit.services.templates import demo_daily_inspection, load_templates
from pmcockpit.services.workspace import ConnectorOpener, Workspace
from pmcockpit.sim import SimTool, build_org, write_roster
from pmcockpit.sim.dialects import KNOWN as SIM_DIALECTS
from pmcockpit.sim.localise import department_name, localise_org
from pmcockpit.sim.org import Organisation
from pmcockpit.sim.smtp import SmtpGreeter
from pmcockpit.storage import checklist_runs, connections
from pmcockpit.storage.connections import HealthFacts
from pmcockpit.storage.db import Database

DEMO_OPERATOR = "demo-admin"


@dataclass(frozen=True, slots=True)
class DemoTool:
    connection: str
    kind: str
    label: str
    latency_ms: float
    """How long the simulated tool takes to answer once the demo is up, like a real one."""
    options: tuple[tuple[str, str], ...] = ()
    """Connection options beside the label."""


DEMO_TOOLS = (
    DemoTool("redmine", "redmine", "Redmine 5.0 (Operations and Finance)", 35),
    DemoTool("jira", "jira", "Jira Cloud (Product planning)", 110),
    DemoTool("gitlab", "gitlab", "GitLab 17 (Engineering)", 60),
    # Its bugs mirror the support desk's Redmine issues: the queue reads the desk once.
    DemoTool("zentao", "zentao", "ZenTao 18 (everyone's bugs)", 80,
             (("sync_tickets", "false"),)),
    DemoTool("feishu", "feishu", "Feishu (the directory)", 90),
)


def available_tools() -> list[DemoTool]:
    """The demo tools both the simulator and pmcockpit's connectors can speak."""
    return [t for t in DEMO_TOOLS if t.kind in SIM_DIALECTS and t.kind in CONNECTOR_KINDS]


def sim_opener(tools: Mapping[str, SimTool]) -> ConnectorOpener:
    def open_named(name: str) -> Connector:
        tool = tools[name]
        demo_options = next((dict(t.options) for t in DEMO_TOOLS if t.connection == name), {})
        config = ConnectionConfig(name=name, kind=tool.dialect.name, url=tool.url,
                                  token=tool.token,
                                  options={**tool.connector_options, **demo_options})
        return open_connector(config, transport=tool.transport())

    return open_named


@contextmanager
def open_demo(
    db: Database, settings: Settings, *, seed: int = 7, scale: int = 150,
    now: datetime | None = None,
) -> Iterator[Workspace]:
    """A demo workspace on ``db``: connections added, synced, with history, and the daily
    inspection due today (a few past runs, one missed) whose checks find a fresh backup
    file and a mail server; ``now`` is naive UTC."""
    language = current_locale()  # the organisation speaks the cockpit's language
    org = localise_org(build_org(seed=seed, scale=scale, now=now), language)
    tools = {t.connection: SimTool(t.kind, org=org) for t in available_tools()}
    with _demo_checklists() as checklist_dir:
        workspace = Workspace(
            replace(settings, operator=DEMO_OPERATOR, read_only=False,
                    templates_dir=str(checklist_dir)),
            db, sim_opener(tools), demo=True,
        )
        with db.session() as session:
            for tool in available_tools():
                connections.add(session, tool.connection, tool.kind,
                                tools[tool.connection].url,
                                {"label": tool.label, **dict(tool.options)})
        asyncio.run(_build_history(workspace, org, tools))
        seed_demo_history(workspace, None if now is None else to_local(now))
        seed_demo_rollouts(workspace, now or utcnow(),
                           lambda team: department_name(team, language))
        yield workspace


@contextmanager
def _demo_checklists() -> Iterator[Path]:
    """A checklist folder whose daily inspection checks a backup folder with last night's
    file and a mail server on loopback; both go when the demo ends."""
    with tempfile.TemporaryDirectory(prefix="pmcockpit-demo-checklists-") as folder, \
            SmtpGreeter() as smtp:
        backups = Path(folder) / "backups"
        backups.mkdir()
        (backups / f"pm-tool-{utcnow():%Y-%m-%d}.sql.gz").write_bytes(b"demo backup\n")
        checklists = Path(folder) / "checklists"
        checklists.mkdir()
        (checklists / "daily-inspection.toml").write_text(
            demo_daily_inspection(backups, smtp.host, smtp.port), encoding="utf-8")
        yield checklists


WAITING_NOTE = N_("Could you send a screenshot of the error? I will look again once I have it.")


def ask_a_requester(tools: Mapping[str, SimTool]) -> None:
    """In the simulated Redmine, the admin asked a requester a question: the ticket waits."""
    tool = tools.get("redmine")
    if tool is None:
        return
    state = tool.state
    waiting = [i for i in state.issues.values() if not state.statuses[i.status_id].is_closed]
    feedback = [s.id for s in state.statuses.values() if s.name == "Feedback"]
    admin = [u.id for u in state.users.values() if u.login == "admin"]
    if waiting and feedback and admin:
        issue = max(waiting, key=lambda i: i.created_on)
        state.update_issue(issue, admin[0], _(WAITING_NOTE), {"status_id": feedback[0]})


async def _build_history(workspace: Workspace, org: Organisation,
                         tools: Mapping[str, SimTool]) -> None:
    ask_a_requester(tools)
    await sync_all(workspace)
    await asyncio.to_thread(_record_health_history, workspace)
    await _past_actions(workspace, org)
    def gitlab_down(down: bool) -> None:  # every call answers 503
        tools["gitlab"].faults.error_rate = 1.0 if down else 0.0

    await seed_demo_queue(workspace, down_tool="gitlab" if "gitlab" in tools else None,
                          set_down=gitlab_down)
    await asyncio.to_thread(_earlier_review, workspace, org, tools)
    await sync_all(workspace)  # the synced state shows what the actions changed
    await note_demo_pauses(workspace)
    await _roster_from_feishu(workspace, tools)
    await asyncio.to_thread(review.start_review, workspace)  # today's, with drift to show
    # Built at full speed; from now on the tools answer at a network's pace.
    for tool in available_tools():
        tools[tool.connection].faults.latency_ms = tool.latency_ms
    await check_all(workspace)  # today's health, measured like any other day


def _record_health_history(workspace: Workspace, days: int = 30) -> None:
    """A month of daily health checks, with the odd outage, for availability figures."""
    rng = random.Random(11)
    now = utcnow()
    with workspace.db.session() as session:
        for name in connections.names(session):
            for day in range(days, 0, -1):
                at = now - timedelta(days=day, hours=-7)
                down = rng.random() < 0.05
                connections.record_health(session, name, HealthFacts(
                    reachable=not down, authenticated=not down, is_admin=not down,
                    latency_ms=None if down else round(rng.uniform(40, 180), 1),
                    error=_("connection refused (simulated outage)") if down else None,
                    checked_at=at,
                ))


async def _past_actions(workspace: Workspace, org: Organisation) -> None:
    """What an administrator did last week: lock two departed accounts, answer a ticket."""
    if "redmine" not in {t.connection for t in available_tools()}:
        return
    departed = [p for p in org.people if p.left_on is not None and "redmine" in p.tools][:2]
    ids = await asyncio.to_thread(_account_ids, workspace, "redmine",
                                  [p.login for p in departed])
    actions = [
        Action(ActionKind.LOCK_USER, "redmine", ids[p.login], p.login,
               reason=_("left the company on {day} (HR roster)").format(
                   day=f"{p.left_on:%Y-%m-%d}"))
        for p in departed if p.login in ids
    ]
    async with ActionRunner(workspace) as runner:
        await runner.run(actions, confirmed=True)


def _earlier_review(workspace: Workspace, org: Organisation,
                   tools: Mapping[str, SimTool]) -> None:
    """HR's roster imported, last month's review signed off, and since then someone made
    an administrator in Redmine: the review to do today has drift to show."""
    with tempfile.TemporaryDirectory(prefix="pmcockpit-demo-roster-") as folder:
        review.import_roster(workspace, write_roster(org, Path(folder) / "hr-roster.csv"))
    for bot in (p for p in org.people if p.kind == AccountKind.SERVICE):
        for tool in sorted(bot.tools & set(tools)):
            review.exempt(workspace, tool, bot.login, Exemption(
                "ops-team", _("integration account (token only)"), None))
    earlier = review.start_review(workspace, now=utcnow() - timedelta(days=30))
    review.sign_off(workspace, earlier, now=utcnow() - timedelta(days=28))
    if "redmine" in tools:
        state = tools["redmine"].state
        promoted = next((u for u in sorted(state.users.values(), key=lambda u: u.login)
                         if u.status == 1 and not u.admin and u.login != "admin"), None)
        if promoted is not None:
            promoted.admin = True


async def _roster_from_feishu(workspace: Workspace, tools: Mapping[str, SimTool]) -> None:
    """Today's roster is Feishu's directory: who resigned there is judged in every tool."""
    if "feishu" in tools:
        from pmcockpit.services.feishu_roster import import_feishu_roster

        await import_feishu_roster(workspace, "feishu")


def _account_ids(workspace: Workspace, connection: str, logins: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from pmcockpit.storage.models import Account

    with workspace.db.session() as session:
        connection_id = connections.get(session, connection).id
        rows = session.execute(select(Account.login, Account.remote_id).where(
            Account.connection_id == connection_id, Account.login.in_(logins))).all()
    return {login: remote_id for login, remote_id in rows}


DEMO_TEMPLATE = "daily-inspection"


def seed_demo_history(workspace: Workspace, now: datetime | None = None, days: int = 5,
                      missed_days_ago: int = 3) -> RunDetail:
    """For the demo: the daily inspection's last ``days`` days done by hand (one with a
    failed step and what was done about it), one day missed, and today's run opened."""
    now = now or local_now()
    template = load_templates(workspace.settings).get(DEMO_TEMPLATE)
    manual = [step.id for step in template.steps if not step.automated]
    with workspace.db.session() as session:
        for back in range(days, 0, -1):
            day = now.date() - timedelta(days=back)
            period = template.recurrence.period_for(day)
            if back == missed_days_ago or checklist_runs.find_run(session, template.key,
                                                                  period.key):
                continue
            at = datetime.combine(day, time(9, 5))
            run = rules.start_run(template, period, at)
            for step in template.steps:
                at += timedelta(minutes=3)
                failed = back == days - 1 and manual and step.id == manual[0]
                run = rules.mark_step(
                    run, step.id, StepState.FAILED if failed else StepState.DONE, at,
                    note=_("It did not work at first: opened a ticket with IT, fixed by 11:00.")
                    if failed else "" if not step.automated else
                    _("Checked by hand in the tool's admin pages."))
            checklist_runs.create_run(session, run, template_name=template.name,
                                      recurrence=template.recurrence.kind,
                                      operator=workspace.settings.operator)
    return open_current_run(workspace, DEMO_TEMPLATE, now)
