"""``store_ops``: 100k creates, then 100k gets, then 100k deletes through the ``memory`` client.

Each round runs in a fresh interpreter (``python -m benchmarks.store_ops N``) on a fresh
namespace with the built-in constant model, so the timings include loading the model on every
create (the client caches parsed built-in models by URI) and the garbage collector's work over
a store that grows to N deployments. The figure is the total seconds of the three phases;
goal < 2 s. The details give each phase and the operations per second.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

from benchmarks import Figure, Settings, run_child, spread

NAME = "store_ops"
GOAL_SECONDS = 2.0
MODEL_URI = "reference:/constant?value=7"


def child(count: int) -> dict[str, float]:
    """Time the three phases once, in this process; check each phase did what it says."""
    from reference_target.client import MemoryDeploymentClient

    client = MemoryDeploymentClient(f"memory:/bench-ops-{os.getpid()}")
    names = [f"deployment-{number:06d}" for number in range(count)]
    gc.collect()
    start = time.perf_counter()
    for name in names:
        client.create_deployment(name, MODEL_URI)
    created = time.perf_counter()
    got = [client.get_deployment(name) for name in names]
    fetched = time.perf_counter()
    for name in names:
        client.delete_deployment(name)
    deleted = time.perf_counter()
    if [deployment["name"] for deployment in got] != names or client.list_deployments():
        raise RuntimeError("the store lost, duplicated or kept a deployment")
    return {
        "create": created - start,
        "get": fetched - created,
        "delete": deleted - fetched,
    }


def measure(settings: Settings) -> Figure:
    count = 20_000 if settings.quick else 100_000
    figure = Figure(
        NAME,
        measures=f"{count:,} creates + gets + deletes on memory, total seconds",
        unit="s",
        goal=f"< {GOAL_SECONDS:g} s",
    )
    runs = [run_child(__name__, str(count)) for _ in range(settings.rounds)]
    totals = [run["create"] + run["get"] + run["delete"] for run in runs]
    figure.judge(spread(totals), GOAL_SECONDS, higher_is_better=False)
    figure.details = {
        "operations": 3 * count,
        "rounds": settings.rounds,
        "ops_per_second": vars(spread([3 * count / total for total in totals])),
        **{
            f"{phase}_seconds": vars(spread([run[phase] for run in runs]))
            for phase in ("create", "get", "delete")
        },
    }
    return figure


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
