"""Who holds an outbox item's lease, and freeing the leases of processes that died.

A claim is named ``operator@host:pid``. A process of this host that is gone (killed
mid-send) cannot finish what it claimed: its leases are freed at once, so the next run
reads its calls back instead of waiting for the lease to run out. A process on another
host is trusted until its lease runs out.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from pmcockpit.core.clock import utcnow
from pmcockpit.services.workspace import Workspace
from pmcockpit.storage import outbox as store

LEASE = timedelta(minutes=10)
"""How long a claim keeps other processes off an item: longer than any call may take."""


def holder(workspace: Workspace) -> str:
    """Who claims in this process: the operator, the host and the process id."""
    return f"{workspace.settings.operator}@{socket.gethostname()}:{os.getpid()}"


def gone(claimed_by: str) -> bool:
    """The holder ran on this host and its process no longer exists."""
    place = claimed_by.rpartition("@")[2]
    host, _, pid = place.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def free_abandoned(workspace: Workspace) -> int:
    """Free the live leases of dead processes of this host; how many."""
    with workspace.db.session() as session:
        return store.release_held_by(session, [
            name for name in store.live_holders(session, utcnow()) if gone(name)])
