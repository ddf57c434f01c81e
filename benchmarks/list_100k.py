"""``list_100k``: one ``list_deployments()`` call on a ``memory`` namespace of 100k deployments.

A fresh interpreter (``python -m benchmarks.list_100k N ROUNDS``) creates N deployments, then
times ``list_deployments()`` once per round after a ``gc.collect()``, so every call starts with
the same heap debt. A listing holds each deployment's summary (``name``, ``flavor``,
``model_uri``, ``endpoint``, ``state``; ``get_deployment`` adds ``config``), so the call makes
100k new dicts, and the time includes the garbage collector's passes their allocations set off.
Each call must return every deployment, as dicts a caller can change without changing the
store. Goal < 50 ms. The details also give one call's time with the cyclic GC off, which shows
how much of the figure is the GC's.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

from benchmarks import Figure, Settings, run_child, spread

NAME = "list_100k"
GOAL_MS = 50.0
MODEL_URI = "reference:/constant?value=7"


def child(count: int, rounds: int) -> dict[str, Any]:
    """Seconds of each ``list_deployments()`` call on a store of ``count`` deployments."""
    from reference_target.client import MemoryDeploymentClient

    client = MemoryDeploymentClient(f"memory:/bench-list-{os.getpid()}")
    for number in range(count):
        client.create_deployment(f"deployment-{number:06d}", MODEL_URI)
    samples = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        listed = client.list_deployments()
        samples.append(time.perf_counter() - start)
        if len(listed) != count:
            raise RuntimeError(f"listed {len(listed)} of {count} deployments")
        listed[0]["model_uri"] = "changed"  # a caller's change must stay in its copy
        listed[0]["state"] = "changed"
    again = client.list_deployments()[0]
    if again["model_uri"] != MODEL_URI or again["state"] != "ready":
        raise RuntimeError("changing a listed dict changed the store")
    # The same call with the cyclic GC off, once: how much of the time is the GC's passes
    # over the store's records, set off by the call's new dicts.
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    client.list_deployments()
    without_gc = time.perf_counter() - start
    gc.enable()
    return {"samples": samples, "without_gc": without_gc}


def measure(settings: Settings) -> Figure:
    count = 20_000 if settings.quick else 100_000
    figure = Figure(
        NAME,
        measures=f"list_deployments() with {count:,} deployments on memory",
        unit="ms",
        goal=f"< {GOAL_MS:g} ms",
    )
    result = run_child(__name__, str(count), str(settings.rounds))
    samples = [seconds * 1e3 for seconds in result["samples"]]
    figure.judge(spread(samples), GOAL_MS, higher_is_better=False)
    figure.details = {
        "deployments": count,
        "rounds": settings.rounds,
        "ms": samples,
        "without_gc_ms": result["without_gc"] * 1e3,
    }
    return figure


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), int(sys.argv[2]))))
