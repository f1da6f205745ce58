"""A simulated project-management tool for the demo, fast tests and benchmarks.

``build_org`` makes a seeded organisation; ``SimTool`` turns it into one tool's
state behind a REST dialect (Redmine 5.0 for now), reachable in-process through
``SimTool.transport()`` or on loopback through ``serve``. Imports nothing of
pmcockpit beyond ``pmcockpit.core``, and no Textual or SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmcockpit.sim.faults import Fault, FaultKind, FaultPlan
    from pmcockpit.sim.http import SimRequest, SimResponse
    from pmcockpit.sim.org import Organisation, Person, build_org, write_roster
    from pmcockpit.sim.server import RunningServer, serve, serve_forever
    from pmcockpit.sim.state import DEFAULT_TOKEN, ToolState
    from pmcockpit.sim.tool import Outcome, SimTool
    from pmcockpit.sim.transport import SimSyncTransport, SimTransport

# Loaded on first use (PEP 562), so ``pmcockpit sim --help`` and the dialect list do not
# import httpx and the whole simulator.
_HOMES = {
    "Fault": "pmcockpit.sim.faults",
    "FaultKind": "pmcockpit.sim.faults",
    "FaultPlan": "pmcockpit.sim.faults",
    "SimRequest": "pmcockpit.sim.http",
    "SimResponse": "pmcockpit.sim.http",
    "Organisation": "pmcockpit.sim.org",
    "Person": "pmcockpit.sim.org",
    "build_org": "pmcockpit.sim.org",
    "write_roster": "pmcockpit.sim.org",
    "RunningServer": "pmcockpit.sim.server",
    "serve": "pmcockpit.sim.server",
    "serve_forever": "pmcockpit.sim.server",
    "DEFAULT_TOKEN": "pmcockpit.sim.state",
    "ToolState": "pmcockpit.sim.state",
    "Outcome": "pmcockpit.sim.tool",
    "SimTool": "pmcockpit.sim.tool",
    "SimSyncTransport": "pmcockpit.sim.transport",
    "SimTransport": "pmcockpit.sim.transport",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


__all__ = [
    "DEFAULT_TOKEN",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Organisation",
    "Outcome",
    "Person",
    "RunningServer",
    "SimRequest",
    "SimResponse",
    "SimSyncTransport",
    "SimTool",
    "SimTransport",
    "ToolState",
    "build_org",
    "serve",
    "serve_forever",
    "write_roster",
]
