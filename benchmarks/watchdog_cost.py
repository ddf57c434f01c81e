"""``watchdog_cost``: what the watchdog process costs a run, on a fast and on a slow target.

The watchdog (``--conformance-watchdog``, on by default) is a second process that is told of
every plugin call, check and resource, so it can end a call that holds the GIL and report a run
the plugin ended. Three sides, interleaved subprocess runs: a default run on ``memory`` with and
without it (the figure: the ratio), and the same pair on ``memory:/slow?latency=1`` (details).
The details also give the per-call cost: the messages one tracked plugin call sends, timed in
process over 20k calls with and without an observer. Goal ≤ 1.1 on ``memory``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import Figure, Settings, interleave, run_kit, spread, write_pytest_ini

NAME = "watchdog_cost"
GOAL = 1.1
_CALLS = 20_000


def _per_call_seconds(observed: bool) -> float:
    from conformance._calling import CallRunner
    from conformance._watchdog import Watchdog

    watchdog = Watchdog.start({"role": "worker"}) if observed else None
    runner = CallRunner(timeout=60, observer=watchdog)
    try:
        started = time.perf_counter()
        for _ in range(_CALLS):
            runner.call("noop()", int)
        return (time.perf_counter() - started) / _CALLS
    finally:
        if watchdog is not None:
            watchdog.done()


def measure(settings: Settings) -> Figure:
    figure = Figure(NAME, measures="run on memory, watchdog on / off", unit="x", goal=f"≤ {GOAL:g}")
    with tempfile.TemporaryDirectory(prefix="bench-watchdog-") as tmp:
        folder = Path(tmp)
        write_pytest_ini(folder)
        sides = {
            "on": lambda: run_kit(folder, "memory", "--conformance-watchdog=on")[0],
            "off": lambda: run_kit(folder, "memory", "--conformance-watchdog=off")[0],
        }
        samples = interleave(sides, settings.rounds)
        slow_rounds = 1 if settings.quick else 2
        slow = interleave(
            {
                "on": lambda: run_kit(
                    folder, "memory:/slow?latency=1", "--conformance-watchdog=on"
                )[0],
                "off": lambda: run_kit(
                    folder, "memory:/slow?latency=1", "--conformance-watchdog=off"
                )[0],
            },
            slow_rounds,
        )
    ratios = [on.wall / off.wall for on, off in zip(samples["on"], samples["off"], strict=True)]
    figure.judge(spread(ratios), GOAL, higher_is_better=False)
    per_call = {"observed": [], "bare": []}
    for _ in range(3):
        per_call["observed"].append(_per_call_seconds(True))
        per_call["bare"].append(_per_call_seconds(False))
    figure.details = {
        "rounds": settings.rounds,
        "memory_seconds_on": vars(spread([r.wall for r in samples["on"]])),
        "memory_seconds_off": vars(spread([r.wall for r in samples["off"]])),
        "ratios": ratios,
        "slow_seconds_on": [r.wall for r in slow["on"]],
        "slow_seconds_off": [r.wall for r in slow["off"]],
        "per_call_microseconds_observed": vars(spread([s * 1e6 for s in per_call["observed"]])),
        "per_call_microseconds_bare": vars(spread([s * 1e6 for s in per_call["bare"]])),
    }
    return figure
