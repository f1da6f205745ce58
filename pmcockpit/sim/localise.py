"""The seeded organisation renamed into Chinese: same people, projects and tickets.

Only the words change (names, departments, titles, project names, ticket texts);
logins, keys, e-mails and every date stay as generated, so the demo behaves the
same in both languages.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from zlib import crc32

from pmcockpit.sim import catalog, catalog_zh
from pmcockpit.sim.org import Comment, Department, Group, Organisation, Person, Project, Ticket

_FAMILIES = tuple(catalog_zh.FAMILY.values())
_GIVEN = tuple(catalog_zh.GIVEN.values())


def localise_org(org: Organisation, language: str) -> Organisation:
    """``org`` in ``language`` (``zh-CN``, ``zh_CN.UTF-8``...); unchanged for any other."""
    if not language.lower().startswith("zh"):
        return org
    names = {p.name: _person(p) for p in org.people}
    projects = {p.name: _project_name(p.name) for p in org.projects}
    return replace(
        org,
        departments=tuple(Department(_dept(d.name), tuple(_team(t) for t in d.teams))
                          for d in org.departments),
        people=tuple(replace(p, first_name=names[p.name][0], last_name=names[p.name][1],
                             department=_dept(p.department), team=_team(p.team),
                             title=catalog_zh.TITLES.get(p.title, p.title))
                     for p in org.people),
        groups=tuple(_group(g) for g in org.groups),
        projects=tuple(_project(p, projects[p.name]) for p in org.projects),
        tickets=tuple(_ticket(t, projects, names) for t in org.tickets),
    )


def department_name(name: str, language: str) -> str:
    """A roster department as :func:`localise_org` names it."""
    return _dept(name) if language.lower().startswith("zh") else name


def _dept(name: str) -> str:
    return catalog_zh.DEPARTMENTS.get(name, name)


def _team(name: str) -> str:
    return catalog_zh.TEAMS.get(name, name)


def _person(person: Person) -> tuple[str, str]:
    """(family name, given name): shown "王 伟" where the tool joins them."""
    if person.login in catalog_zh.SERVICE_NAMES:
        return catalog_zh.SERVICE_NAMES[person.login], ""
    family = catalog_zh.FAMILY.get(person.last_name)
    given = catalog_zh.GIVEN.get(person.first_name)
    if family and given:
        return family, given
    draw = crc32(person.login.encode())
    return _FAMILIES[draw % len(_FAMILIES)], _GIVEN[(draw // 97) % len(_GIVEN)]


def _group(group: Group) -> Group:
    name = catalog_zh.GROUPS.get(group.name, _dept(group.name))
    department = _dept(group.department) if group.department else None
    return replace(group, name=name, department=department)


def _project_name(name: str) -> str:
    if name in catalog_zh.PROJECTS:
        return catalog_zh.PROJECTS[name][0]
    for base, (zh_name, _description) in catalog_zh.PROJECTS.items():
        match = re.fullmatch(rf"(\w+) {re.escape(base)}( \d+)?", name)
        if match:
            codename = catalog_zh.CODENAMES.get(match[1], match[1])
            return f"{codename}{zh_name}{match[2] or ''}"
    return name


def _project(project: Project, name: str) -> Project:
    base = next((b for b in catalog_zh.PROJECTS if project.name.endswith(b)), None)
    description = catalog_zh.PROJECTS[base][1] if base else project.description
    return replace(project, name=name, description=description)


@lru_cache(maxsize=64)
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    return re.compile("".join(f"(?P<{p[1:-1]}>.+)" if p.startswith("{") else re.escape(p)
                              for p in parts))


def _translate(text: str, english: str, chinese: str,
               fill: dict[str, dict[str, tuple[str, str]] | dict[str, str]]) -> str | None:
    match = _pattern(english).fullmatch(text)
    if match is None:
        return None
    values = {}
    for key, value in match.groupdict().items():
        table = fill[key]
        found = table.get(value, catalog_zh.FILLERS.get(value, value))
        values[key] = "".join(found) if isinstance(found, tuple) else found
    return chinese.format(**values)


def _ticket(ticket: Ticket, projects: dict[str, str],
            names: dict[str, tuple[str, str]]) -> Ticket:
    fill: dict[str, dict[str, tuple[str, str]] | dict[str, str]] = {
        "project": projects, "person": names}
    subject, description = ticket.subject, ticket.description
    for english_subject, english_description in catalog.TICKET_TOPICS:
        zh_subject, zh_description = catalog_zh.TICKET_TOPICS[english_subject]
        found = _translate(ticket.subject, english_subject, zh_subject, fill)
        if found is not None:
            subject = found
            description = _translate(ticket.description, english_description,
                                     zh_description, fill) or description
            break
    comments = tuple(replace(c, body=catalog_zh.NOTES.get(c.body, c.body))
                     for c in ticket.comments)
    return replace(ticket, subject=subject, description=description, comments=comments)


__all__ = ["Comment", "department_name", "localise_org"]
