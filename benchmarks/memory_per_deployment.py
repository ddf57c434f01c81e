"""``memory_per_deployment``: bytes the ``memory`` store keeps per idle deployment.

A fresh interpreter (``python -m benchmarks.memory_per_deployment N``) creates one deployment
to warm every cache, then traces allocations (``tracemalloc``) over creating N more with the
built-in constant model, collects garbage, and divides what stays allocated by N. Dicts the
client returned and the caller dropped are freed, so this is what the store itself holds: the
record, its ready-made summary, names, config bytes and index entries. Measured at 10k and at the
figure's size (50k; 10k with ``--quick``). Goal < 2 KiB.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tracemalloc

from benchmarks import Figure, Settings, run_child, spread

NAME = "memory_per_deployment"
GOAL_BYTES = 2048
MODEL_URI = "reference:/constant?value=7"
SMALL = 10_000


def child(count: int) -> float:
    """Bytes per deployment still allocated after creating ``count`` of them."""
    from reference_target.client import MemoryDeploymentClient

    client = MemoryDeploymentClient(f"memory:/bench-memory-{os.getpid()}")
    client.create_deployment("warm-up", MODEL_URI)
    names = [f"deployment-{number:06d}" for number in range(count)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for name in names:
        client.create_deployment(name, MODEL_URI)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if len(client.list_deployments()) != count + 1:
        raise RuntimeError("the store does not hold every deployment")
    # The names list was allocated before tracing started, so it is not counted.
    return (after - before) / count


def measure(settings: Settings) -> Figure:
    count = SMALL if settings.quick else 50_000
    figure = Figure(
        NAME,
        measures=f"bytes per idle deployment on memory (tracemalloc, {count:,} creates)",
        unit="B",
        goal=f"< {GOAL_BYTES} B (2 KiB)",
    )
    rounds = min(settings.rounds, 3)  # allocation counts barely vary: three rounds show it
    samples = [run_child(__name__, str(count)) for _ in range(rounds)]
    figure.judge(spread(samples), GOAL_BYTES, higher_is_better=False)
    figure.details = {"deployments": count, "rounds": rounds, "bytes": samples}
    if count != SMALL:
        figure.details["bytes_at_10k"] = run_child(__name__, str(SMALL))
    return figure


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
