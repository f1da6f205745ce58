"""REST dialects the simulator speaks, each a sibling module sharing the tool state.

A dialect module exposes ``DIALECT``: its name, a pure request handler and how a
client presents the token. Jira (REST v3) and GitLab (v4) can be added next to
``redmine`` and registered in :data:`KNOWN`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from pmcockpit.sim.http import SimRequest, SimResponse
from pmcockpit.sim.state import ToolState

KNOWN = ("redmine", "jira", "gitlab", "zentao", "feishu")


@dataclass(frozen=True)
class Dialect:
    name: str
    product: str
    """What a person calls the simulated product and version, e.g. "Redmine 5.0"."""
    handle: Callable[[ToolState, SimRequest], SimResponse]
    auth_headers: Callable[[str], dict[str, str]]
    """The headers a client sends to authenticate with ``token``."""
    connector_options: Callable[[ToolState, str], dict[str, str]] | None = None
    """Connection options a connector needs besides URL and token, given the state and
    the URL the tool answers on (Jira: the login e-mail and the admin API's)."""


def get_dialect(name: str) -> Dialect:
    if name not in KNOWN:
        raise ValueError(f"unknown dialect {name!r}; known: {', '.join(KNOWN)}")
    module = importlib.import_module(f"pmcockpit.sim.dialects.{name}")
    dialect: Dialect = module.DIALECT
    return dialect
