"""The header's word on writing: READ-ONLY, WRITE 29m left while armed, nothing when the
installation writes (the default without ``read_only``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pmcockpit.core.i18n import _

if TYPE_CHECKING:
    from pmcockpit.services.workspace import Workspace


def write_badge(workspace: Workspace) -> str:
    from pmcockpit.services.write_mode import time_left

    if not workspace.settings.read_only:
        return ""
    left = time_left(workspace)
    if left is None:
        return _("READ-ONLY")
    seconds = left.total_seconds()
    if seconds < 60:
        return _("WRITE {seconds}s left").format(seconds=math.ceil(seconds))
    return _("WRITE {minutes}m left").format(minutes=math.ceil(seconds / 60))
