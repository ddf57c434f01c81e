"""``default_models_cache``: what a repeat run saves now that the default models are cached.

Without ``--deployment-model-uri`` on a target other than ``memory``, the kit deploys two pyfunc
models of its own. The first run of a kit version saves them into the user cache folder; later
runs reuse them. Each side is ``default_models()`` in a fresh interpreter (``python -m
benchmarks.default_models_cache CACHE_HOME``, imports excluded): the first run's, with an
empty cache folder, and a repeat run's, with the folder the first run filled. Interleaved
rounds. The figure is the seconds a repeat run saves (first minus repeat, median per round);
goal: a repeat run spends under 0.1 s on its models. Needs the ``mlflow`` extra.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Figure, Settings, interleave, run_child, spread

NAME = "default_models_cache"
GOAL_REPEAT_SECONDS = 0.1


def child(cache_home: str) -> float:
    """Seconds ``default_models`` takes with ``cache_home`` as the user cache folder."""
    os.environ["XDG_CACHE_HOME"] = cache_home
    import mlflow.pyfunc  # noqa: F401 - imported before timing, as a run has it by then

    from conformance._models import default_models

    start = time.perf_counter()
    pair = default_models("kit-benchmark")
    seconds = time.perf_counter() - start
    if pair is None or not Path(pair.primary, "MLmodel").is_file():
        raise RuntimeError(f"no default models: {pair}")
    return seconds


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures="default models: first run's seconds minus a repeat run's (cache reused)",
        unit="s",
        goal=f"repeat < {GOAL_REPEAT_SECONDS:g} s",
    )
    if importlib.util.find_spec("mlflow") is None:
        figure.skipped = "needs the `mlflow` extra: pip install -e '.[mlflow]'"
        return figure
    with tempfile.TemporaryDirectory(prefix="bench-models-") as scratch:
        warm = Path(scratch, "warm")
        run_child(__name__, str(warm))  # the first run that fills the cache, untimed
        fresh = iter(range(settings.rounds))

        def first_run() -> float:
            cold = Path(scratch, f"cold-{next(fresh)}")
            seconds = float(run_child(__name__, str(cold)))
            shutil.rmtree(cold)
            return seconds

        samples = interleave(
            {"first": first_run, "repeat": lambda: float(run_child(__name__, str(warm)))},
            settings.rounds,
        )
    saved = [a - b for a, b in zip(samples["first"], samples["repeat"], strict=True)]
    repeat = spread(samples["repeat"])
    figure.judge(spread(saved), 0.0, higher_is_better=True)
    figure.met = repeat.median < GOAL_REPEAT_SECONDS
    figure.noisy = repeat.low < GOAL_REPEAT_SECONDS < repeat.high
    figure.details = {
        "first_run_s": samples["first"],
        "repeat_run_s": samples["repeat"],
        "saved_s": saved,
    }
    return figure


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1])))
