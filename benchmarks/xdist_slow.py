"""``xdist_slow``: how much ``pytest -n 4`` shortens a run against a slow target.

``memory:/slow?latency=1`` makes every create and update take 1 s, so a serial run is mostly
waiting. The kit groups checks by scenario (``xdist_group``) so each scenario still runs once,
on one worker, and the workers wait in parallel. One round is a serial default run and a
``-n 4`` run, interleaved; the figure is the parallel wall time over the serial one (lower is
better), goal ≤ 0.4. Both runs' ``deployments_created`` are recorded: parallel runs create a
scenario's deployments once per worker that needs them. A round takes about a minute, so this
figure runs at most 3 rounds, and only with ``--all`` or ``--only xdist_slow``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import Figure, Settings, interleave, run_kit, spread

NAME = "xdist_slow"
TARGET = "memory:/slow?latency=1"
GOAL = 0.4
WORKERS = 4


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures=f"pytest -n {WORKERS} / serial, wall time, default run against {TARGET}",
        unit="x",
        goal=f"≤ {GOAL:g}",
    )
    rounds = min(settings.rounds, 3)
    with tempfile.TemporaryDirectory(prefix="bench-xdist-") as tmp:
        samples = interleave(
            {
                "serial": lambda: run_kit(Path(tmp, "serial"), TARGET),
                "parallel": lambda: run_kit(Path(tmp, "parallel"), TARGET, "-n", str(WORKERS)),
            },
            rounds,
        )
    pairs = list(zip(samples["serial"], samples["parallel"], strict=True))
    ratios = [parallel.wall / serial.wall for (serial, _), (parallel, _) in pairs]
    figure.judge(spread(ratios), GOAL, higher_is_better=False)
    figure.details = {
        "rounds": rounds,
        "workers": WORKERS,
        "serial_seconds": vars(spread([run.wall for run, _ in samples["serial"]])),
        "parallel_seconds": vars(spread([run.wall for run, _ in samples["parallel"]])),
        "ratios": ratios,
        "deployments_created": {
            "serial": [int(summary["deployments_created"]) for _, summary in samples["serial"]],
            "parallel": [int(summary["deployments_created"]) for _, summary in samples["parallel"]],
        },
    }
    return figure
