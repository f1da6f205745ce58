#!/usr/bin/env python3
"""Run the demo or the tests from a clone, on a machine with nothing but Python 3.11+.

    python3 run.py demo [demo options]     # e.g. --read-only, --lang zh_CN
    python3 run.py test [pytest options]   # e.g. -x -q tests/core

The first run makes a virtual environment `.venv` next to this file (Debian's and
Ubuntu's Python refuse `pip install` outside one) and installs pmcockpit into it,
editable; later runs install again only when pyproject.toml changed. Where the
Python has no `ensurepip` (Debian without the python3-venv package), the
environment is made without pip and pip is brought in from its wheel on PyPI,
checked against the sha256 pinned below (the one PyPI publishes for that release).

Standard library only: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import venv
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "pmcockpit-installed.json"
# The pip release brought in when the Python has no ensurepip, and its wheel's sha256
# as https://pypi.org/pypi/pip/json publishes it (under "releases").
PIP_VERSION = "26.3"
PIP_SHA256 = "f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13"
PYPI = "https://pypi.org/pypi/"
USAGE = """usage: python3 run.py demo [options of `pmcockpit demo`]
       python3 run.py test [options of pytest]

demo  the cockpit on a simulated organisation (touches nothing real)
test  the test suite, two workers (`pytest -n 2`); options are passed on
"""


def venv_python(venv_dir: Path = VENV) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def say(text: str) -> None:
    print(f"run.py: {text}", file=sys.stderr, flush=True)


def make_venv(venv_dir: Path = VENV) -> None:
    """The environment sees the system's packages, so what is installed already is used."""
    if importlib.util.find_spec("ensurepip") is not None:
        say(f"making {venv_dir.name} (with pip)")
        try:
            venv.EnvBuilder(system_site_packages=True, with_pip=True).create(venv_dir)
            return
        except subprocess.CalledProcessError:
            say("ensurepip failed; making it without pip and fetching pip instead")
    else:
        say(f"making {venv_dir.name}; this Python has no ensurepip, so pip comes from PyPI")
    venv.EnvBuilder(system_site_packages=True, with_pip=False, clear=True).create(venv_dir)
    bootstrap_pip(venv_python(venv_dir))


def fetch(url: str) -> bytes:
    """HTTPS with the system's certificates. Only the pip wheel, whose sha256 is pinned
    here, may come over an unverified connection (a machine without CA certificates)."""
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            data: bytes = answer.read()
            return data
    except urllib.error.URLError as error:
        if not isinstance(error.reason, ssl.SSLCertVerificationError):
            raise
    say(f"no trusted certificate for {url}; going on because the wheel's sha256 is checked")
    with urllib.request.urlopen(url, timeout=120,
                                context=ssl._create_unverified_context()) as answer:
        data = answer.read()
        return data


def pip_wheel_url() -> str:
    project = f"{PYPI}pip/json"
    files = json.loads(fetch(project)).get("releases", {}).get(PIP_VERSION, [])
    for file in files:
        if file["packagetype"] == "bdist_wheel":
            if file["digests"]["sha256"] != PIP_SHA256:
                raise SystemExit(f"run.py: PyPI's sha256 for pip {PIP_VERSION} is not the "
                                 "pinned one; refusing to install it")
            return urljoin(project, str(file["url"]))
    raise SystemExit(f"run.py: PyPI lists no wheel for pip {PIP_VERSION}")


def bootstrap_pip(python: Path) -> None:
    """Install pip into the environment from its own wheel (a wheel of pip runs pip)."""
    wheel = fetch(pip_wheel_url())
    digest = hashlib.sha256(wheel).hexdigest()
    if digest != PIP_SHA256:
        raise SystemExit(f"run.py: the pip wheel's sha256 is {digest}, not {PIP_SHA256}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"pip-{PIP_VERSION}-py3-none-any.whl"
        path.write_bytes(wheel)
        subprocess.run([str(python), f"{path}/pip", "install", "--quiet", "--no-index",
                        str(path)], check=True)


def wanted(stamp: Path, project_hash: str, extras: set[str]) -> set[str] | None:
    """The extras to install now, or None when the environment is up to date."""
    try:
        installed = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return extras
    if installed.get("pyproject") != project_hash:
        return extras
    have = set(installed.get("extras", []))
    return None if extras <= have else extras | have


def install(extras: set[str], python: Path, stamp: Path = STAMP) -> None:
    project_hash = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    todo = wanted(stamp, project_hash, extras)
    if todo is None:
        return
    target = "." + (f"[{','.join(sorted(todo))}]" if todo else "")
    say(f"installing pmcockpit{target[1:]} into .venv (again only when pyproject.toml changes)")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", target],
                   cwd=ROOT, check=True)
    stamp.write_text(json.dumps({"pyproject": project_hash, "extras": sorted(todo)}),
                     encoding="utf-8")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(USAGE, end="", file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    what, rest = argv[0], argv[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    python = venv_python()
    if not python.exists():
        try:
            make_venv()
        except BaseException:
            shutil.rmtree(VENV, ignore_errors=True)  # no half-made environment next time
            raise
    try:
        install({"test"} if what == "test" else set(), python)
    except subprocess.CalledProcessError as error:
        say(f"installing failed (exit {error.returncode}); see pip's message above")
        return 1
    command = ["-m", "pmcockpit", "demo"] if what == "demo" else ["-m", "pytest", "-n", "2"]
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.run([str(python), *command, *rest]).returncode
    os.execv(python, [str(python), *command, *rest])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
