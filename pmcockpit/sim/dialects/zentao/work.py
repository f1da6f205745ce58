"""ZenTao's teams, permission groups, stories, tasks, executions, ping and version.

Shapes follow easysoft/zentaopms ``api/v1``: routes from ``config/routes.php``;
``project.php`` (``GET /projects/:id?fields=team`` adds ``teams``, keyed by account,
each ``{account, role, join, realname, avatar}``); ``executionmembers.php`` (``GET
/executions/:id/members`` answers ``{"members": [...]}``, ``join`` a date);
``groups.php`` (every permission group with its ``privs`` as ``{module: {method:
true}}`` and its ``accounts`` as ``{account: realname}``); ``stories.php`` (``GET
/products/:id/stories``, ``status`` ``unclosed`` by default) and ``tasks.php`` (``GET
/executions/:id/tasks``), users formatted as ``x:user``; ``ping.php`` (the server's time
as a string; it needs a session like every ``entry``) and ``config.php`` (``GET
/configurations/version``: ``{name, value}``, no session needed as a ``baseEntry``).

Each live project has one execution (a sprint, with the project's id) and a few
stories and tasks, made once from its team and kept in the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pmcockpit.sim.dialects.common import iso
from pmcockpit.sim.dialects.zentao.core import Call, error, listing, router, user_ref
from pmcockpit.sim.http import SimResponse, json_response
from pmcockpit.sim.models import PROJECT_ARCHIVED, Project, User
from pmcockpit.sim.state import ToolState

TEAM_ROLES = {"Manager": "项目经理", "Developer": "研发", "Reporter": "测试"}
STORY_TITLES = ("登录页支持单点登录", "导出月度报表", "权限审计日志", "移动端适配")
TASK_NAMES = ("编写接口文档", "开发权限接口", "测试登录流程", "部署到预发布环境", "代码评审")
TASK_STATUSES = ("wait", "doing", "done", "closed")
GROUPS = (  # id, name, role, privileges (module, method) beyond my-index
    (1, "管理员", "admin", (("company", "browse"), ("user", "create"), ("user", "delete"),
                            ("group", "managePriv"))),
    (2, "研发", "dev", (("task", "start"), ("task", "finish"), ("bug", "resolve"))),
    (3, "测试", "qa", (("bug", "create"), ("bug", "close"), ("testcase", "create"))),
    (4, "项目经理", "pm", (("project", "manageMembers"), ("task", "assignTo"))),
    (5, "产品经理", "po", (("story", "create"), ("story", "review"))),
    (10, "其他", "others", ()),
)
ROLE_GROUPS = {"dev": 2, "qa": 3, "pm": 4, "po": 5, "others": 10}


@dataclass(frozen=True)
class Work:
    id: int
    project_id: int
    title: str
    status: str
    opened_by: int
    assigned_to: int | None
    pri: int


def team(state: ToolState, project: Project) -> list[tuple[User, str]]:
    """The project's people (groups' members included) with their team role, by id."""
    found: dict[int, str] = {}
    for member in state.memberships_of_project(project.id):
        names = [state.roles[r].name for r in member.direct_role_ids if r in state.roles]
        role = TEAM_ROLES.get(names[0], names[0]) if names else "研发"
        group = state.groups.get(member.principal_id)
        for user_id in group.user_ids if group is not None else [member.principal_id]:
            found.setdefault(user_id, role)
    return [(state.users[i], role) for i, role in sorted(found.items()) if i in state.users]


def _work(state: ToolState) -> tuple[list[Work], list[Work]]:
    """(stories, tasks) of every live project, made on first use and then kept."""
    cached = state.extras.get("zentao-work")
    if isinstance(cached, tuple):
        return cached
    stories: list[Work] = []
    tasks: list[Work] = []
    for project in sorted(state.projects.values(), key=lambda p: p.id):
        people = [user.id for user, _ in team(state, project)]
        if project.status == PROJECT_ARCHIVED or not people:
            continue
        for number, title in enumerate(STORY_TITLES[: 2 + project.id % 3]):
            stories.append(Work(len(stories) + 1, project.id, title,
                                "closed" if number == 0 else "active", people[0],
                                people[number % len(people)], 1 + number % 4))
        for number, name in enumerate(TASK_NAMES[: 3 + project.id % 3]):
            tasks.append(Work(len(tasks) + 1, project.id, name,
                              TASK_STATUSES[number % len(TASK_STATUSES)], people[0],
                              people[(number + 1) % len(people)], 1 + number % 4))
    state.extras["zentao-work"] = (stories, tasks)
    return stories, tasks


def history(state: ToolState, kind: str, number: int) -> list[dict[str, Any]]:
    """A story's or task's ``actions`` (``processActionForAPI``), kept as changes add them."""
    store = state.extras.setdefault("zentao-work-actions", {})
    found: list[dict[str, Any]] = store.setdefault((kind, number), [])
    return found


def _project(call: Call, ref: str) -> Project:
    project = call.state.projects.get(int(ref))
    if project is None or project.status == PROJECT_ARCHIVED:
        raise error(404, "404 Not found")
    return project


def _when(call: Call, project: Project) -> dict[str, Any]:
    return {"openedDate": iso(project.created_on), "lastEditedDate": iso(project.updated_on)}


def _story_json(call: Call, story: Work) -> dict[str, Any]:
    project = call.state.projects[story.project_id]
    return {"id": story.id, "product": story.project_id, "title": story.title,
            "name": story.title, "type": "story", "status": story.status,
            "stage": "closed" if story.status == "closed" else "developing", "pri": story.pri,
            "estimate": 2, "openedBy": user_ref(call.state, story.opened_by),
            "assignedTo": user_ref(call.state, story.assigned_to), "deleted": False,
            **_when(call, project)}


def _task_json(call: Call, task: Work) -> dict[str, Any]:
    project = call.state.projects[task.project_id]
    deadline = (project.updated_on + timedelta(days=14)).date().isoformat()
    return {"id": task.id, "project": task.project_id, "execution": task.project_id,
            "name": task.title, "type": "devel",
            "status": task.status, "pri": task.pri, "estimate": 4, "consumed": 2, "left": 2,
            "deadline": deadline, "openedBy": user_ref(call.state, task.opened_by),
            "assignedTo": user_ref(call.state, task.assigned_to), "deleted": False,
            **_when(call, project)}


def _status_filter(call: Call, items: list[Work]) -> list[Work]:
    wanted = call.arg("status") or "unclosed"
    if wanted == "all" or wanted == "allstory":
        return items
    if wanted == "unclosed":
        return [i for i in items if i.status != "closed"]
    return [i for i in items if i.status == wanted]


@router.route("GET", "/projects/{id:int}")
def show_project(call: Call, params: dict[str, str]) -> SimResponse:
    project = _project(call, params["id"])
    data: dict[str, Any] = {"id": project.id, "name": project.name, "code": project.identifier,
                            "model": "scrum", "type": "project", "status": "doing",
                            "desc": project.description, "deleted": False,
                            **_when(call, project)}
    if "team" in (call.arg("fields") or "").lower().split(","):
        data["teams"] = {user.login: {"account": user.login, "role": role,
                                      "join": project.created_on.date().isoformat(),
                                      "realname": user.name, "avatar": ""}
                         for user, role in team(call.state, project)}
    return json_response(200, data)


@router.route("GET", "/projects/{id:int}/executions")
def list_executions(call: Call, params: dict[str, str]) -> SimResponse:
    project = _project(call, params["id"])
    return listing(call, "executions", [{
        "id": project.id, "project": project.id, "name": f"{project.name} 第1迭代",
        "type": "sprint", "status": "doing", "deleted": False, **_when(call, project)}])


@router.route("GET", "/executions/{id:int}/members")
def execution_members(call: Call, params: dict[str, str]) -> SimResponse:
    project = _project(call, params["id"])
    return json_response(200, {"members": [
        {"account": user.login, "realname": user.name, "role": role,
         "join": project.created_on.date().isoformat(), "days": 10, "hours": 7.0}
        for user, role in team(call.state, project)]})


@router.route("GET", "/products/{id:int}/stories")
def list_stories(call: Call, params: dict[str, str]) -> SimResponse:
    project = _project(call, params["id"])
    stories = [s for s in _work(call.state)[0] if s.project_id == project.id]
    return listing(call, "stories", [_story_json(call, s)
                                     for s in reversed(_status_filter(call, stories))])


@router.route("GET", "/stories/{id:int}")
def show_story(call: Call, params: dict[str, str]) -> SimResponse:
    story = next((s for s in _work(call.state)[0] if s.id == int(params["id"])), None)
    if story is None:
        raise error(404, "404 Not found")
    return json_response(200, {**_story_json(call, story),
                               "actions": history(call.state, "story", story.id)})


@router.route("GET", "/executions/{id:int}/tasks")
def list_tasks(call: Call, params: dict[str, str]) -> SimResponse:
    project = _project(call, params["id"])
    tasks = [t for t in _work(call.state)[1] if t.project_id == project.id]
    return listing(call, "tasks", [_task_json(call, t)
                                   for t in reversed(_status_filter(call, tasks))])


@router.route("GET", "/tasks/{id:int}")
def show_task(call: Call, params: dict[str, str]) -> SimResponse:
    task = next((t for t in _work(call.state)[1] if t.id == int(params["id"])), None)
    if task is None:
        raise error(404, "404 Not found")
    return json_response(200, {**_task_json(call, task),
                               "actions": history(call.state, "task", task.id)})


@router.route("GET", "/groups")
def list_groups(call: Call, _: dict[str, str]) -> SimResponse:
    from pmcockpit.sim.dialects.zentao.users import ROLES, person_department

    members: dict[int, dict[str, str]] = {number: {} for number, *_ in GROUPS}
    for user in call.state.users.values():
        if user.id in call.facts.deleted:
            continue
        role = ROLES.get(person_department(call.state, user) or "", "others")
        members[1 if user.admin else ROLE_GROUPS[role]][user.login] = user.name
    return json_response(200, [
        {"id": number, "vision": "rnd", "project": 0, "name": name, "role": role,
         "desc": "", "acl": [], "developer": "1",
         "privs": _privs(privileges), "accounts": members[number]}
        for number, name, role, privileges in GROUPS])


def _privs(privileges: tuple[tuple[str, str], ...]) -> dict[str, dict[str, bool]]:
    found: dict[str, dict[str, bool]] = {"my": {"index": True}}
    for module, method in privileges:
        found.setdefault(module, {})[method] = True
    return found


@router.route("GET", "/ping")
def ping(call: Call, _: dict[str, str]) -> SimResponse:
    return json_response(200, call.state.clock().strftime("%Y-%m-%d %H:%M:%S"))
