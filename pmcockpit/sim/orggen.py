"""The rules that generate an :class:`~pmcockpit.sim.org.Organisation` from a seed.

People get exact category counts (left, inactive, never logged in, locked,
admins) chosen by a seeded shuffle, so proportions hold at every scale and the
same seed always picks the same people.
"""

from __future__ import annotations

import bisect
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import accumulate

from pmcockpit.core.records import AccountKind, AccountStatus, ProjectStatus
from pmcockpit.sim import catalog
from pmcockpit.sim.org import (
    INACTIVE_DAYS,
    SUPPORT_PROJECT_KEY,
    Department,
    Group,
    Membership,
    Organisation,
    Person,
    Project,
    Role,
)
from pmcockpit.sim.tickets import generate_tickets

LEFT_SHARE = 0.08
INACTIVE_SHARE = 0.10
NEVER_SHARE = 0.05
LEFT_STILL_ACTIVE_SHARE = 0.75
CHINESE_NAME_SHARE = 0.3
INTERN_SHARE = 0.03
PROJECTS_PER_PERSON = 12 / 150

ROLES = (
    Role("Manager", True, (
        "view_project", "manage_members", "manage_versions", "add_issues", "edit_issues",
        "view_issues", "add_issue_notes", "delete_issues", "view_members", "manage_wiki",
    )),
    Role("Developer", False, (
        "view_project", "add_issues", "edit_issues", "view_issues", "add_issue_notes",
        "view_members", "commit_access", "edit_wiki_pages",
    )),
    Role("Reporter", False, ("view_project", "add_issues", "view_issues", "add_issue_notes")),
)


def _tools_for(department: str) -> frozenset[str]:
    """Every employee is on Redmine, ZenTao and Feishu; engineers are also on GitLab and
    Jira, product on Jira."""
    if department == "Engineering":
        return frozenset({"redmine", "zentao", "feishu", "jira", "gitlab"})
    if department == "Product":
        return frozenset({"redmine", "zentao", "feishu", "jira"})
    return frozenset({"redmine", "zentao", "feishu"})


@lru_cache(maxsize=4096)  # a few hundred distinct names, fifty thousand people
def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


@dataclass
class _Draft:
    """A person while the rules are still deciding about them."""

    index: int
    login: str
    first_name: str
    last_name: str
    department: str
    team: str
    title: str
    created_at: datetime
    last_login_at: datetime | None = None
    left_on_days_ago: int | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    is_admin: bool = False


class _Generator:
    def __init__(self, seed: int, scale: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.now = now
        self.taken_logins: dict[str, int] = {"admin": 1}
        self.taken_logins.update({login: 1 for login, *_ in catalog.SERVICE_ACCOUNTS})

    def ago(self, days: float) -> datetime:
        return (self.now - timedelta(days=days)).replace(second=0, microsecond=0)

    def unique_login(self, first: str, last: str) -> str:
        base = (_ascii(first)[:1] + _ascii(last)) or "user"
        count = self.taken_logins.get(base, 0) + 1
        self.taken_logins[base] = count
        return base if count == 1 else f"{base}{count}"

    # People --------------------------------------------------------------------------

    def draft_people(self) -> list[_Draft]:
        rng = self.rng
        names = list(catalog.DEPARTMENTS)
        cumulative = list(accumulate(catalog.DEPARTMENTS[n][1] for n in names))
        drafts = []
        for index in range(self.scale):
            department = names[min(bisect.bisect(cumulative, rng.random() * cumulative[-1]),
                                   len(names) - 1)]
            teams, _share, titles = catalog.DEPARTMENTS[department]
            if rng.random() < CHINESE_NAME_SHARE:
                first, last = rng.choice(catalog.PINYIN_FIRST), rng.choice(catalog.PINYIN_LAST)
            else:
                first, last = rng.choice(catalog.WESTERN_FIRST), rng.choice(catalog.WESTERN_LAST)
            title = "Intern" if rng.random() < INTERN_SHARE else rng.choice(titles)
            drafts.append(_Draft(
                index=index, login=self.unique_login(first, last), first_name=first,
                last_name=last, department=department, team=rng.choice(teams), title=title,
                created_at=self.ago(rng.uniform(14, 6 * 365)),
            ))
        return drafts

    def assign_activity(self, drafts: list[_Draft]) -> None:
        """Pick who left, who is inactive, who never logged in, who is locked."""
        rng = self.rng
        order = list(drafts)
        rng.shuffle(order)
        n_left = round(self.scale * LEFT_SHARE)
        n_inactive = round(self.scale * INACTIVE_SHARE)
        n_never = round(self.scale * NEVER_SHARE)
        left = order[:n_left]
        inactive = order[n_left:n_left + n_inactive]
        never = order[n_left + n_inactive:n_left + n_inactive + n_never]
        active = order[n_left + n_inactive + n_never:]

        for draft in active:
            draft.last_login_at = self.ago(min(rng.expovariate(1 / 6), 60))
        for draft in inactive:
            days = rng.uniform(INACTIVE_DAYS + 1, 500)
            draft.created_at = min(draft.created_at, self.ago(days + rng.uniform(30, 400)))
            draft.last_login_at = self.ago(days)
        for position, draft in enumerate(never):
            draft.last_login_at = None
            if position % 3 == 0:  # new hires whose accounts were never activated
                draft.status = AccountStatus.PENDING
                draft.created_at = self.ago(rng.uniform(1, 30))
        for position, draft in enumerate(left):
            left_days = rng.uniform(3, 400)
            draft.left_on_days_ago = int(left_days)
            draft.created_at = min(draft.created_at, self.ago(left_days + rng.uniform(60, 900)))
            draft.last_login_at = self.ago(left_days + rng.uniform(0, 20))
            if position == 0 and left_days > 10:  # someone still uses a former colleague's login
                draft.last_login_at = self.ago(rng.uniform(0, 2))
            if rng.random() >= LEFT_STILL_ACTIVE_SHARE:
                draft.status = AccountStatus.LOCKED
        for draft in active[: max(1, self.scale // 100)]:  # locked after failed logins
            draft.status = AccountStatus.LOCKED

    def assign_admins(self, drafts: list[_Draft]) -> None:
        """4-6 admins: IT staff and the PMO, plus one who should not be one."""
        rng = self.rng
        usable = [d for d in drafts if d.status is AccountStatus.ACTIVE
                  and d.left_on_days_ago is None and d.last_login_at is not None
                  and d.title != "Intern"
                  and d.last_login_at > self.ago(INACTIVE_DAYS)]
        preferred = [d for d in usable if d.team in ("IT Support", "Infrastructure")
                     or d.department == "PMO"]
        pool = preferred if len(preferred) >= 5 else usable
        count = rng.randint(4, 6)
        for draft in rng.sample(pool, min(count - 1, len(pool))):
            draft.is_admin = True
        left_active = [d for d in drafts if d.left_on_days_ago is not None
                       and d.status is AccountStatus.ACTIVE and not d.is_admin]
        interns = [d for d in drafts if d.title == "Intern" and d.left_on_days_ago is None
                   and d.status is AccountStatus.ACTIVE and not d.is_admin]
        wrong = left_active if (rng.random() < 0.5 or not interns) and left_active else interns
        if wrong:
            rng.choice(wrong).is_admin = True

    def freeze_person(self, draft: _Draft) -> Person:
        left_on = None
        if draft.left_on_days_ago is not None:
            left_on = (self.now - timedelta(days=draft.left_on_days_ago)).date()
        return Person(
            employee_id=f"E{draft.index + 1001:05d}", login=draft.login,
            first_name=draft.first_name, last_name=draft.last_name,
            email=f"{draft.login}@example.org", department=draft.department, team=draft.team,
            title=draft.title, kind=AccountKind.PERSON, created_at=draft.created_at,
            last_login_at=draft.last_login_at, left_on=left_on, account_status=draft.status,
            is_admin=draft.is_admin, tools=_tools_for(draft.department),
        )

    def service_accounts(self) -> list[Person]:
        rng = self.rng
        chosen = catalog.SERVICE_ACCOUNTS[: rng.randint(3, 5)]
        people = []
        for position, (login, first, last, department, team) in enumerate(chosen):
            stale = position == 3  # one integration nobody switched off
            last_login = self.ago(rng.uniform(200, 400) if stale else rng.uniform(0, 0.5))
            people.append(Person(
                employee_id=None, login=login, first_name=first, last_name=last,
                email=f"{login}@example.org", department=department, team=team,
                title="Service account", kind=AccountKind.SERVICE,
                created_at=self.ago(rng.uniform(700, 1800)), last_login_at=last_login,
                left_on=None, account_status=AccountStatus.ACTIVE, is_admin=False,
                tools=frozenset({"redmine", "zentao", "jira", "gitlab"}),
            ))
        return people

    # Groups, projects, memberships ----------------------------------------------------

    def groups(self, people: list[Person]) -> list[Group]:
        rng = self.rng
        employees = [p for p in people if p.kind is AccountKind.PERSON]
        groups = [Group(slugify(name), name,
                        tuple(p.login for p in employees if p.department == name), name)
                  for name in catalog.DEPARTMENTS]
        current = [p for p in employees if not p.has_left]
        engineers = [p for p in current if p.department in ("Engineering", "PMO")]
        technical = [p for p in current if p.department in ("Engineering", "Operations")]
        release = rng.sample(engineers, min(len(engineers), 25, max(3, self.scale // 40)))
        security = rng.sample(technical, min(len(technical), 20, max(3, self.scale // 50)))
        admins = [p for p in employees if p.is_admin and not p.has_left]
        desk = admins + [p for p in current if p.team == "IT Support" and not p.is_admin][:2]
        for key, name, members in (
            ("release-managers", "Release managers", release),
            ("security-champions", "Security champions", security),
            ("support-desk", "Support desk", desk),
        ):
            groups.append(Group(key, name, tuple(sorted(p.login for p in members))))
        return groups

    def projects(self) -> list[Project]:
        rng = self.rng
        count = max(6, round(self.scale * PROJECTS_PER_PERSON))
        drafts: list[tuple[str, str, str, str]] = []
        bases = catalog.PROJECT_BASES
        for index in range(count):
            base, department, description = bases[index % len(bases)]
            cycle = index // len(bases)
            name = base
            if cycle:
                codename = catalog.CODENAMES[(cycle - 1) % len(catalog.CODENAMES)]
                round_ = (cycle - 1) // len(catalog.CODENAMES)
                name = f"{codename} {base}" + (f" {round_ + 1}" if round_ else "")
            key = slugify(name)
            drafts.append((key, name, department, description))
        ages = sorted((rng.uniform(60, 1500) for _ in drafts), reverse=True)
        rng.shuffle(drafts)
        statuses = ([ProjectStatus.CLOSED] * round(count * 0.25)
                    + [ProjectStatus.ARCHIVED] * max(1, round(count * 0.12)))
        statuses += [ProjectStatus.ACTIVE] * (count - len(statuses))
        rng.shuffle(statuses)
        projects = [Project(
            SUPPORT_PROJECT_KEY, "PM Tool Support",
            "Questions and problems with the project-management tools.",
            ProjectStatus.ACTIVE, None, self.ago(1100), self.ago(0.1), True, "Operations")]
        roots: dict[str, list[str]] = {}  # department -> active projects without a parent
        for (key, name, department, description), age, status in zip(
                drafts, ages, statuses, strict=True):
            parent = None
            siblings = roots.get(department)
            if siblings and rng.random() < 0.4:
                parent = rng.choice(siblings)
            elif status is ProjectStatus.ACTIVE:
                roots.setdefault(department, []).append(key)
            touched = {ProjectStatus.ACTIVE: rng.uniform(0, 20),
                       ProjectStatus.CLOSED: rng.uniform(30, 300),
                       ProjectStatus.ARCHIVED: rng.uniform(200, 700)}[status]
            projects.append(Project(
                key, name, description, status, parent, self.ago(age),
                self.ago(min(touched, age - 1)), rng.random() < 0.2, department))
        return projects

    def memberships(self, people: list[Person], groups: list[Group],
                    projects: list[Project]) -> list[Membership]:
        rng = self.rng
        employees = [p for p in people if p.kind is AccountKind.PERSON]
        by_department: dict[str, list[Person]] = {}
        current_by_department: dict[str, list[Person]] = {}
        for person in employees:
            by_department.setdefault(person.department, []).append(person)
            if not person.has_left:
                current_by_department.setdefault(person.department, []).append(person)
        department_groups = {g.department: g for g in groups if g.department}
        result = [Membership(SUPPORT_PROJECT_KEY, "support-desk", True, ("Manager",))]
        result += [Membership(SUPPORT_PROJECT_KEY, p.login, False, ("Manager",))
                   for p in employees if p.is_admin and not p.has_left]
        department_grants = max(2, min(6, len(projects) // 4))
        for project in projects[1:]:
            staff = by_department.get(project.department or "", []) or employees
            current = current_by_department.get(project.department or "", []) or staff
            manager = rng.choice(current)
            result.append(Membership(project.key, manager.login, False, ("Manager",)))
            chosen = {manager.login}
            for person in rng.sample(staff, min(len(staff), rng.randint(4, 12))):
                if person.login in chosen:
                    continue
                chosen.add(person.login)
                roll = rng.random()
                roles = (("Developer", "Reporter") if roll < 0.1
                         else ("Developer",) if roll < 0.7 else ("Reporter",))
                result.append(Membership(project.key, person.login, False, roles))
            if project.department in ("Engineering", "Product") and rng.random() < 0.6:
                result.append(Membership(project.key, "release-managers", True, ("Manager",)))
            elif rng.random() < 0.3:
                result.append(Membership(project.key, "security-champions", True,
                                         ("Reporter",)))
            group = department_groups.get(project.department or "")
            if department_grants and group and rng.random() < 0.5:
                department_grants -= 1  # large groups stay rare so inheritance stays bounded
                result.append(Membership(project.key, group.key, True, ("Reporter",)))
        return result


def generate(seed: int, scale: int, now: datetime) -> Organisation:
    gen = _Generator(seed, scale, now)
    drafts = gen.draft_people()
    gen.assign_activity(drafts)
    gen.assign_admins(drafts)
    people = [gen.freeze_person(d) for d in drafts] + gen.service_accounts()
    groups = gen.groups(people)
    projects = gen.projects()
    memberships = gen.memberships(people, groups, projects)
    tickets = generate_tickets(gen.rng, now, people, projects, scale)
    departments = tuple(Department(name, teams)
                        for name, (teams, _share, _titles) in catalog.DEPARTMENTS.items())
    return Organisation(
        seed=seed, scale=scale, now=now, departments=departments, people=tuple(people),
        groups=tuple(groups), roles=ROLES, projects=tuple(projects),
        memberships=tuple(memberships), tickets=tuple(tickets),
    )

