"""Fixtures for integration tests against a real Redmine, run by ``scripts/redmine-server``.

The server is started once and left running (start is idempotent, so later runs reuse it).
Outside CI a machine that cannot run Redmine skips these tests; with ``CI=true`` it fails,
so a broken CI set-up cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

INTEGRATION_DIR = Path(__file__).resolve().parent
SCRIPT = INTEGRATION_DIR.parents[1] / "scripts" / "redmine-server"
PACKAGES = ("redmine", "redmine-sqlite", "thin")
INSTALL_TIMEOUT_S = 1800.0
START_TIMEOUT_S = 300.0


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
    started = _run_script("start", timeout=START_TIMEOUT_S)
    if started.returncode != 0:
        _unavailable(f"scripts/redmine-server start failed: {_output(started)}")
    # Left running on purpose: other sessions reuse it, and `start` is idempotent.
    yield _parse_env(started.stdout)
