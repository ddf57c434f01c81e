"""``xdist_slow``: how much ``pytest -n 4`` shortens a run against a slow target.

``memory:/slow?latency=1`` makes every create, update and delete take 1 s, so a serial run is
mostly waiting. The kit groups checks by scenario (``xdist_group``) so each scenario still runs
once, on one worker, and the workers wait in parallel. One round is a serial default run and a
``-n 4`` run, interleaved; the figure is the parallel wall time over the serial one (lower is
better), goal ≤ 0.4. Both runs' ``deployments_created`` are recorded: a worker that needs the
shared deployment and does not have it creates its own.

Worker start-up (four interpreters importing pytest, pandas and, when installed, MLflow) is a
fixed cost that the 1 s latency does not dwarf on a small machine. One more round at
``latency=2`` separates the two: the growth of the parallel time over the growth of the serial
time, per extra second of latency, is the share of the target's waiting that a parallel run
still does in sequence (``details.per_latency_second``), which is what remains on real targets
whose calls take minutes. A round takes about a minute, so this figure runs at most 3 rounds,
and only with ``--all`` or ``--only xdist_slow``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import Figure, Run, Settings, interleave, run_kit, spread

NAME = "xdist_slow"
TARGET = "memory:/slow?latency={latency:g}"
GOAL = 0.4
WORKERS = 4


def _sides(tmp: str, latency: float) -> dict[str, Callable[[], tuple[Run, dict[str, Any]]]]:
    target = TARGET.format(latency=latency)
    return {
        "serial": lambda: run_kit(Path(tmp, f"serial-{latency:g}"), target),
        "parallel": lambda: run_kit(Path(tmp, f"parallel-{latency:g}"), target, "-n", str(WORKERS)),
    }


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures=f"pytest -n {WORKERS} / serial, wall time, default run against "
        + TARGET.format(latency=1),
        unit="x",
        goal=f"≤ {GOAL:g}",
    )
    rounds = min(settings.rounds, 3)
    with tempfile.TemporaryDirectory(prefix="bench-xdist-") as tmp:
        samples = interleave(_sides(tmp, 1), rounds)
        doubled = interleave(_sides(tmp, 2), 1)
    pairs = list(zip(samples["serial"], samples["parallel"], strict=True))
    ratios = [parallel.wall / serial.wall for (serial, _), (parallel, _) in pairs]
    figure.judge(spread(ratios), GOAL, higher_is_better=False)
    serial_1 = spread([run.wall for run, _ in samples["serial"]])
    parallel_1 = spread([run.wall for run, _ in samples["parallel"]])
    serial_2, parallel_2 = doubled["serial"][0][0].wall, doubled["parallel"][0][0].wall
    figure.details = {
        "rounds": rounds,
        "workers": WORKERS,
        "serial_seconds": vars(serial_1),
        "parallel_seconds": vars(parallel_1),
        "ratios": ratios,
        "latency_2_seconds": {"serial": serial_2, "parallel": parallel_2},
        "per_latency_second": (parallel_2 - parallel_1.median) / (serial_2 - serial_1.median),
        "deployments_created": {
            "serial": [int(summary["deployments_created"]) for _, summary in samples["serial"]],
            "parallel": [int(summary["deployments_created"]) for _, summary in samples["parallel"]],
        },
    }
    return figure
