"""Fixtures for integration tests against a real Redmine, run by ``scripts/redmine-server``.

The server is started once and left running (start is idempotent, so later runs reuse it).
As root, each test run first resets it to the state right after install (one xdist worker
does it, the others wait), so what earlier runs created never slows or confuses this one.
Outside CI a machine that cannot run Redmine skips these tests; with ``CI=true`` it fails,
so a broken CI set-up cannot pass silently.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from pmcockpit.connectors.redmine import API_KEY_HEADER

INTEGRATION_DIR = Path(__file__).resolve().parent
SCRIPT = INTEGRATION_DIR.parents[1] / "scripts" / "redmine-server"
PACKAGES = ("redmine", "redmine-sqlite", "thin")
INSTALL_TIMEOUT_S = 1800.0
START_TIMEOUT_S = 300.0
RESET_TIMEOUT_S = 900.0
STATE_DIR = Path(os.environ.get("REDMINE_STATE_DIR", "/tmp/pmcockpit-redmine"))


@dataclass(frozen=True)
class RedmineServer:
    url: str
    api_key: str


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/integration is a Redmine test, even if its module forgot."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION_DIR):
            item.add_marker(pytest.mark.redmine)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redmine is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _run_script(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        _unavailable(f"scripts/redmine-server {' '.join(args)} timed out after {timeout:.0f}s")


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stderr.strip() or result.stdout.strip())[-2000:]


def _redmine_installed() -> bool:
    if shutil.which("dpkg-query") is None:
        return False
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}\n", *PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    statuses = result.stdout.splitlines()
    return len(statuses) == len(PACKAGES) and all(s == "install ok installed" for s in statuses)


def _reset_once_per_run() -> subprocess.CompletedProcess[str] | None:
    """Reset the server if no worker of this test run has yet; None when none was needed."""
    if os.geteuid() != 0:
        return None  # reset replaces the database file: root only
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"single-{os.getpid()}"
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    marker = STATE_DIR / "reset-for-run"
    with (STATE_DIR / "reset.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the reset
        if marker.exists() and marker.read_text() == run:
            return None
        reset = _run_script("reset", timeout=RESET_TIMEOUT_S)
        if reset.returncode != 0:
            _unavailable(f"scripts/redmine-server reset failed: {_output(reset)}")
        marker.write_text(run)
        return reset


def _parse_env(stdout: str) -> RedmineServer:
    values = dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)
    url, api_key = values.get("REDMINE_URL"), values.get("REDMINE_API_KEY")
    if not url or not api_key:
        _unavailable(f"scripts/redmine-server start printed no URL/API key: {stdout!r}")
    return RedmineServer(url=url, api_key=api_key)


@pytest.fixture(scope="session")
def redmine_server() -> Iterator[RedmineServer]:
    """A running Redmine 5 with the REST API on and the admin's API key.

    Installs Debian's package first when missing and we are root with apt-get.
    """
    if sys.platform != "linux" or shutil.which("bash") is None:
        _unavailable("the Redmine test server needs Linux (Debian's redmine package)")
    if not _redmine_installed():
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            _unavailable(
                "Redmine is not installed and cannot be installed here (needs root and "
                "apt-get); run: sudo scripts/redmine-server install"
            )
        installed = _run_script("install", timeout=INSTALL_TIMEOUT_S)
        if installed.returncode != 0:
            _unavailable(f"scripts/redmine-server install failed: {_output(installed)}")
    started = _reset_once_per_run() or _run_script("start", timeout=START_TIMEOUT_S)
    if started.returncode != 0:
        _unavailable(f"scripts/redmine-server start failed: {_output(started)}")
    # Left running on purpose: other sessions reuse it, and `start` is idempotent.
    yield _parse_env(started.stdout)


# -- a small organisation seeded through the REST API, unique per test ----------------


@pytest.fixture
async def api(redmine_server: RedmineServer) -> AsyncIterator[httpx.AsyncClient]:
    """Plain REST access as the admin, for seeding and for checking results."""
    headers = {API_KEY_HEADER: redmine_server.api_key}
    async with httpx.AsyncClient(base_url=redmine_server.url, headers=headers,
                                 timeout=30) as client:
        yield client


def ok(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json() if response.content else None


@dataclass
class World:
    """What one test seeded: ids as strings, as the connector reports them."""

    suffix: str
    users: dict[str, str]
    group: str
    project: str
    closed_project: str
    roles: dict[str, int]
    memberships: dict[str, str]
    """login (or "group") -> membership id in ``project``."""


@pytest.fixture
async def world(api: httpx.AsyncClient) -> World:
    """alice (only through the group), bob (Manager, plus Developer through the group),
    carol (Reporter), dave (locked), erin (registered); group with alice and bob holding
    Developer; an active project and a closed one."""
    suffix = uuid.uuid4().hex[:8]
    roles = {r["name"]: r["id"] for r in ok(await api.get("/roles.json"), 200)["roles"]}
    users = {}
    for name in ("alice", "bob", "carol", "dave", "erin"):
        body = {"user": {"login": f"{name}-{suffix}", "firstname": name.title(),
                         "lastname": suffix, "mail": f"{name}-{suffix}@example.com",
                         "password": "integration-secret-1"}}
        users[name] = str(ok(await api.post("/users.json", json=body), 201)["user"]["id"])
    ok(await api.put(f"/users/{users['dave']}.json", json={"user": {"status": 3}}), 204)
    ok(await api.put(f"/users/{users['erin']}.json", json={"user": {"status": 2}}), 204)
    group_body = {"group": {"name": f"Developers {suffix}",
                            "user_ids": [int(users["alice"]), int(users["bob"])]}}
    group = ok(await api.post("/groups.json", json=group_body), 201)["group"]
    projects = []
    for name in ("apollo", "mercury"):
        body = {"project": {"name": f"{name.title()} {suffix}", "identifier": f"{name}-{suffix}"}}
        projects.append(str(ok(await api.post("/projects.json", json=body), 201)["project"]["id"]))
    project, closed = projects
    path = f"/projects/{project}/memberships.json"
    # bob's own membership first: once the group's exists he has one (inherited), and
    # Redmine refuses a second membership for the same user.
    grants = {"bob": (int(users["bob"]), "Manager"), "carol": (int(users["carol"]), "Reporter"),
              "group": (group["id"], "Developer")}
    memberships = {}
    for who, (principal, role) in grants.items():
        grant = {"membership": {"user_id": principal, "role_ids": [roles[role]]}}
        memberships[who] = str(ok(await api.post(path, json=grant), 201)["membership"]["id"])
    for item in ok(await api.get(path), 200)["memberships"]:
        if item.get("user", {}).get("id") == int(users["alice"]):
            memberships["alice"] = str(item["id"])
    ok(await api.put(f"/projects/{closed}/close.json"), 204)
    return World(suffix, users, str(group["id"]), project, closed, roles, memberships)
