"""``latency_chain``: how many target latencies a default run waits through in sequence.

``memory:/slow?latency=L`` makes every create, update and delete wait L seconds. A serial default
run at L=1 and one at L=3, interleaved: the growth of the wall time per extra second of latency
is the number of waits the run makes one after another (its longest scenario chain, plus what
cleanup waits for), which is what a real target whose calls take minutes multiplies. Goal ≤ 5,
with ≤ 6 deployments created, conformant.

The same rounds hold the other sides the figure is judged with:

- ``pytest -n 4`` at L=1 over the serial run at L=1 (goal: no slower, ≤ 1; the kit keeps such a
  run in the pytest process, starting no worker);
- on ``memory`` (no latency), the default run (scenarios at once) over the same run with
  ``--conformance-thread-safe=off`` (scenarios one by one, as the kit ran them before it ran
  them at once): the cost of the threads on a fast target.

A round takes about a minute, so this figure runs at most 3 rounds, and only with ``--all`` or
``--only latency_chain``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import Figure, Run, Settings, interleave, run_kit, spread

NAME = "latency_chain"
SLOW = "memory:/slow?latency={latency:g}"
GOAL = 5.0
MAX_DEPLOYMENTS = 6
WORKERS = 4


def _sides(tmp: str) -> dict[str, Callable[[], tuple[Run, dict[str, Any]]]]:
    def kit(label: str, target: str, *extra: str) -> Callable[[], tuple[Run, dict[str, Any]]]:
        return lambda: run_kit(Path(tmp, label), target, *extra)

    return {
        "serial_1": kit("serial-1", SLOW.format(latency=1)),
        "serial_3": kit("serial-3", SLOW.format(latency=3)),
        "parallel_1": kit("parallel-1", SLOW.format(latency=1), "-n", str(WORKERS)),
        "memory": kit("memory", "memory"),
        "memory_one_by_one": kit("memory-serial", "memory", "--conformance-thread-safe=off"),
    }


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures="seconds a serial default run grows per second of target latency, "
        + f"{SLOW.format(latency=1)} to latency=3",
        unit="s/s",
        goal=f"≤ {GOAL:g}, ≤ {MAX_DEPLOYMENTS} deployments",
    )
    rounds = min(settings.rounds, 3)
    with tempfile.TemporaryDirectory(prefix="bench-chain-") as tmp:
        samples = interleave(_sides(tmp), rounds)
    wall = {side: [run.wall for run, _ in runs] for side, runs in samples.items()}
    growth = [
        (slow - fast) / 2 for fast, slow in zip(wall["serial_1"], wall["serial_3"], strict=True)
    ]
    figure.judge(spread(growth), GOAL, higher_is_better=False)
    created = {
        side: [int(summary["deployments_created"]) for _, summary in runs]
        for side, runs in samples.items()
    }
    conformant = {
        side: [bool(summary["conformant"]) for _, summary in runs] for side, runs in samples.items()
    }
    figure.met = bool(
        figure.met
        and max(created["serial_1"] + created["serial_3"]) <= MAX_DEPLOYMENTS
        and all(conformant["serial_1"] + conformant["serial_3"])
    )

    def ratio(top: str, bottom: str) -> list[float]:
        return [a / b for a, b in zip(wall[top], wall[bottom], strict=True)]

    figure.details = {
        "rounds": rounds,
        "seconds": {side: vars(spread(values)) for side, values in wall.items()},
        "parallel_over_serial_at_latency_1": vars(spread(ratio("parallel_1", "serial_1"))),
        "memory_at_once_over_one_by_one": vars(spread(ratio("memory", "memory_one_by_one"))),
        "deployments_created": created,
        "conformant": conformant,
    }
    return figure
