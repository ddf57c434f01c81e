"""``foreign_snapshot``: what noting a target's foreign resources costs, with 10,000 of them.

A fresh interpreter (``python -m benchmarks.foreign_snapshot N ROUNDS``) creates N deployments
and one endpoint that are not the kit's on a ``memory`` namespace, then per round times the
snapshot the kit takes before its first create plus the comparison at the end (nothing changed,
as for a correct plugin). It counts the plugin calls: one listing of each kind per side and no
call by name, or the harness stops. Goal < 100 ms for both sides together.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

from benchmarks import Figure, Settings, run_child, spread

NAME = "foreign_snapshot"
GOAL_MS = 100.0
MODEL_URI = "reference:/constant?value=7"
TOKEN = "bench1"


def child(count: int, rounds: int) -> dict[str, Any]:
    """Seconds of each snapshot + comparison over ``count`` foreign deployments."""
    from conformance._calling import CallRunner
    from conformance._foreign import compare, take_snapshot
    from conformance._naming import Namer
    from conformance._tracking import TrackedClient
    from reference_target.client import MemoryDeploymentClient

    client = MemoryDeploymentClient(f"memory:/bench-foreign-{os.getpid()}")
    client.create_endpoint("team-endpoint")
    for number in range(count):
        client.create_deployment(f"team-model-{number:06d}", MODEL_URI)
    snapshot_samples, compare_samples = [], []
    for _ in range(rounds):
        tracked = TrackedClient(client, CallRunner(60), Namer(TOKEN))
        gc.collect()
        start = time.perf_counter()
        snapshot = take_snapshot(tracked, TOKEN)
        middle = time.perf_counter()
        comparison = compare(snapshot, tracked)
        end = time.perf_counter()
        snapshot_samples.append(middle - start)
        compare_samples.append(end - middle)
        if snapshot.count() != count + 1 or comparison.vanished or comparison.changed:
            raise RuntimeError(f"snapshot of {snapshot.count()} of {count}: {comparison}")
        if tracked.calls != 4:  # list_deployments and list_endpoints, before and after
            raise RuntimeError(f"{tracked.calls} plugin calls; expected 4 listings")
    return {"snapshot": snapshot_samples, "compare": compare_samples}


def measure(settings: Settings) -> Figure:
    count = 2_000 if settings.quick else 10_000
    figure = Figure(
        NAME,
        measures=f"snapshot + comparison of {count:,} foreign deployments on memory",
        unit="ms",
        goal=f"< {GOAL_MS:g} ms",
    )
    result = run_child(__name__, str(count), str(settings.rounds))
    totals = [
        (before + after) * 1e3
        for before, after in zip(result["snapshot"], result["compare"], strict=True)
    ]
    figure.judge(spread(totals), GOAL_MS, higher_is_better=False)
    figure.details = {
        "deployments": count,
        "rounds": settings.rounds,
        "snapshot_ms": [s * 1e3 for s in result["snapshot"]],
        "compare_ms": [s * 1e3 for s in result["compare"]],
        "plugin_calls": 4,
    }
    return figure


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), int(sys.argv[2]))))
