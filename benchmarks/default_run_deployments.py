"""``default_run_deployments``: how many deployments one default serial run creates.

On a real target each deployment takes seconds to minutes, so this count is what a plugin
author waits for. Two serial runs, against ``memory`` and against ``memory:/slow?latency=1``
(every create and update takes 1 s, as when the kit's calls time out or retry), each reading
``summary.deployments_created`` from ``--conformance-report``. The figure is the larger count;
goal ≤ 6, reported as measured. The count does not vary between runs, so each runs once; the
slow run takes about half a minute, so this figure runs only with ``--all`` or ``--only``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import Figure, Settings, run_kit, spread

NAME = "default_run_deployments"
GOAL = 6
TARGETS = ("memory", "memory:/slow?latency=1")


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures="deployments_created by one serial default run: " + " and ".join(TARGETS),
        unit="deployments",
        goal=f"≤ {GOAL}",
    )
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-deployments-") as tmp:
        for number, target in enumerate(TARGETS):
            run, summary = run_kit(Path(tmp, str(number)), target)
            counts[target] = int(summary["deployments_created"])
            seconds[target] = run.wall
    figure.judge(spread([float(max(counts.values()))]), GOAL, higher_is_better=False)
    figure.details = {"deployments_created": counts, "seconds": seconds}
    return figure
