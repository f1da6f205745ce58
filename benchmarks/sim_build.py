"""How long the simulator takes to build an organisation and one tool's state.

    python benchmarks/sim_build.py [--scales 150,5000,50000]

Prints seconds and the ratio to the smallest scale, measured in one run.
"""

from __future__ import annotations

import argparse
import time

from pmcockpit.sim.org import build_org
from pmcockpit.sim.state import ToolState


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="150,5000,50000")
    scales = [int(s) for s in parser.parse_args().scales.split(",")]
    rows = []
    for scale in scales:
        started = time.perf_counter()
        org = build_org(seed=7, scale=scale)
        built = time.perf_counter() - started
        started = time.perf_counter()
        ToolState.from_org(org)
        rows.append((scale, built, time.perf_counter() - started))
    _, base_org, base_state = rows[0]
    print(f"{'scale':>7} {'build_org':>20} {'ToolState.from_org':>20}")
    for scale, built, state in rows:
        print(f"{scale:>7} {built:8.3f}s ({built / base_org:6.0f}x) "
              f"{state:8.3f}s ({state / base_state:6.0f}x)")


if __name__ == "__main__":
    main()
