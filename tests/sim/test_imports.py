"""The simulator imports no UI, no database and nothing of pmcockpit beyond core."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = ("pmcockpit.sim", "pmcockpit.sim.org", "pmcockpit.sim.state",
           "pmcockpit.sim.dialects.redmine", "pmcockpit.sim.faults",
           "pmcockpit.sim.transport", "pmcockpit.sim.server", "pmcockpit.sim.tool")


def test_sim_stays_out_of_the_ui_and_storage() -> None:
    code = (
        "import json, sys\n"
        f"for name in {MODULES!r}:\n"
        "    __import__(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout
    loaded = json.loads(output)
    assert not [m for m in loaded if m.split(".")[0] in ("textual", "sqlalchemy")]
    ours = {m for m in loaded if m.startswith("pmcockpit.")}
    assert all(m.startswith(("pmcockpit.sim", "pmcockpit.core")) for m in ours), ours
