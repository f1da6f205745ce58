"""A simulated project-management tool for the demo, fast tests and benchmarks.

``build_org`` makes a seeded organisation; ``SimTool`` turns it into one tool's
state behind a REST dialect (Redmine 5.0 for now), reachable in-process through
``SimTool.transport()`` or on loopback through ``serve``. Imports nothing of
pmcockpit beyond ``pmcockpit.core``, and no Textual or SQLAlchemy.
"""

from __future__ import annotations

from pmcockpit.sim.faults import Fault, FaultKind, FaultPlan
from pmcockpit.sim.http import SimRequest, SimResponse
from pmcockpit.sim.org import Organisation, Person, build_org, write_roster
from pmcockpit.sim.server import RunningServer, serve, serve_forever
from pmcockpit.sim.state import DEFAULT_TOKEN, ToolState
from pmcockpit.sim.tool import Outcome, SimTool
from pmcockpit.sim.transport import SimSyncTransport, SimTransport

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
