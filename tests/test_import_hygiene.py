"""The floors under the UI import no Textual, and each floor loads only the floors below it.

A static check cannot tell a module-scope import from one deferred into the function
that needs it, so (like harlequin's ``tests/unit_tests/test_import_hygiene.py``) each
check imports the real modules in a fresh interpreter and looks at ``sys.modules``.
Modules are discovered from the files on disk, so a module added tomorrow (or a folder
without ``__init__.py``, which ``pkgutil`` would skip) is checked without editing this file.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SUBPROCESS_TIMEOUT_S = 300.0

_spec = importlib.util.find_spec("pmcockpit")
assert _spec is not None and _spec.origin is not None
PACKAGE_DIR = Path(_spec.origin).parent

# Not rich: httpx loads it for its command line.
TUI = ("textual",)
DATABASE = ("sqlalchemy", "alembic")


@dataclass(frozen=True)
class Floor:
    package: str
    forbidden: tuple[str, ...]
    """Top-level modules that importing any module of the package must not load."""
    ours: tuple[str, ...]
    """The parts of pmcockpit it may load: itself and the floors below it."""


FLOORS = (
    # The domain does no I/O and knows no use case.
    Floor("pmcockpit.core", (*TUI, *DATABASE, "httpx"), ("pmcockpit.core",)),
    Floor("pmcockpit.storage", TUI, ("pmcockpit.storage", "pmcockpit.core", "pmcockpit.config")),
    # Connectors return values and services store them: no database either.
    Floor("pmcockpit.connectors", (*TUI, *DATABASE),
          ("pmcockpit.connectors", "pmcockpit.core", "pmcockpit.config")),
    # The simulator shares no code with what it tests, and has no database.
    Floor("pmcockpit.sim", (*TUI, *DATABASE), ("pmcockpit.sim", "pmcockpit.core")),
    Floor("pmcockpit.services", TUI,
          ("pmcockpit.services", "pmcockpit.storage", "pmcockpit.connectors", "pmcockpit.sim",
           "pmcockpit.core", "pmcockpit.config")),
)

NOT_IMPORTABLE_ALONE = {
    # Alembic's env script reads ``alembic.context.config``, which exists only while a
    # migration command runs; db.upgrade runs it that way (tests/storage covers it).
    "pmcockpit.storage.migrations.env",
}

# Imports every module named on stdin, one after the other, and reports which one first
# brought in each forbidden top-level module, and which ones failed to import at all.
PROBE = """
import importlib, json, sys, traceback
request = json.load(sys.stdin)
errors, leaks = {}, {}
for name in request["modules"]:
    already = {f for f in request["forbidden"] if f in sys.modules}
    try:
        importlib.import_module(name)
    except BaseException:
        errors[name] = traceback.format_exc(limit=3)
    for forbidden in request["forbidden"]:
        if forbidden in sys.modules and forbidden not in already:
            leaks[forbidden] = name
json.dump({"errors": errors, "leaks": leaks,
           "loaded": sorted(f for f in request["forbidden"] if f in sys.modules),
           "ours": sorted(m for m in sys.modules if m.startswith("pmcockpit."))}, sys.stdout)
"""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def discover(package: str) -> list[str]:
    """Every module of ``package`` on disk: files and subfolders, namespace or not."""
    root = PACKAGE_DIR.parent.joinpath(*package.split("."))
    found = {_module_name(path) for path in root.rglob("*.py") if "__pycache__" not in path.parts}
    # pkgutil as well, so an extension module or an unusual loader is not missed.
    if (root / "__init__.py").exists():
        found.add(package)
        found.update(m.name for m in pkgutil.walk_packages([str(root)], prefix=f"{package}."))
    return sorted(found - NOT_IMPORTABLE_ALONE)


def _probe(modules: list[str], forbidden: tuple[str, ...]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=json.dumps({"modules": modules, "forbidden": list(forbidden)}),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_discovery_finds_known_modules() -> None:
    storage = discover("pmcockpit.storage")
    assert {"pmcockpit.storage", "pmcockpit.storage.db", "pmcockpit.storage.models"} <= set(storage)
    assert "pmcockpit.storage.migrations.env" not in storage
    assert "pmcockpit.core.checklist.evaluation" in discover("pmcockpit.core")


@pytest.mark.parametrize("floor", FLOORS, ids=lambda floor: floor.package)
def test_floor_loads_nothing_above_it(floor: Floor) -> None:
    modules = discover(floor.package)
    assert floor.package in modules
    report = _probe(modules, floor.forbidden)
    assert not report["errors"], "modules that fail to import:\n" + "\n".join(
        f"{name}:\n{trace}" for name, trace in report["errors"].items()
    )
    assert not report["leaks"], ", ".join(
        f"{module} imported {forbidden}" for forbidden, module in sorted(report["leaks"].items())
    )
    assert report["loaded"] == [], f"{floor.package} loaded {report['loaded']}"
    above = [m for m in report["ours"] if not m.startswith(floor.ours)]
    assert above == [], f"{floor.package} loaded {above}"
