"""``predictions_roundtrip``: our PredictionsResponse against MLflow's, on 1M floats.

A plugin's ``predict`` returns a PredictionsResponse that callers write and read as JSON; MLflow's
class does both with the standard ``json`` module. One round here is ``to_json`` + ``from_json``
+ ``get_predictions("ndarray")`` on a response holding a list of Python floats. MLflow's side
calls ``mlflow.deployments.PredictionsResponse``'s own methods explicitly on an instance of that
class: with MLflow installed ours subclasses it, so calling through our class would time ours.

The figure is MLflow's time divided by ours (higher is better); goal ≥ 5.
"""

from __future__ import annotations

import gc
import importlib.util
import random
import time
from collections.abc import Callable
from typing import Any

from benchmarks import Figure, Settings, interleave, spread

NAME = "predictions_roundtrip"
GOAL = 5.0


def _round(cls: type[Any], predictions: list[float]) -> Callable[[], float]:
    """One timed round trip, through ``cls``'s own methods (not an override's)."""

    def timed() -> float:
        gc.collect()  # start each side with the same heap debt
        start = time.perf_counter()
        response = cls({"predictions": predictions})
        text = cls.to_json(response)
        back = cls.from_json(text)
        cls.get_predictions(back, "ndarray")
        return time.perf_counter() - start

    return timed


def measure(settings: Settings) -> Figure:
    size = 200_000 if settings.quick else 1_000_000
    figure = Figure(
        NAME,
        measures=f"to_json+from_json+ndarray, {size:,} floats: MLflow's time / ours",
        unit="x",
        goal=f"≥ {GOAL:g}",
    )
    if importlib.util.find_spec("mlflow") is None:
        figure.skipped = "needs the `mlflow` extra: pip install -e '.[mlflow]'"
        return figure

    import numpy as np
    from mlflow.deployments import PredictionsResponse as Theirs

    from conformance.api import PredictionsResponse as Ours

    generator = random.Random(0)
    predictions = [generator.uniform(-1e6, 1e6) for _ in range(size)]

    # Both sides must produce the same array, or the comparison means nothing.
    ours_array = Ours.from_json(Ours({"predictions": predictions}).to_json()).get_predictions(
        "ndarray"
    )
    theirs_back = Theirs.from_json(Theirs.to_json(Theirs({"predictions": predictions})))
    if not np.array_equal(ours_array, Theirs.get_predictions(theirs_back, "ndarray")):
        raise RuntimeError("our round trip and MLflow's disagree")

    samples = interleave(
        {"mlflow": _round(Theirs, predictions), "ours": _round(Ours, predictions)},
        settings.rounds,
    )
    ratios = [
        theirs / ours for theirs, ours in zip(samples["mlflow"], samples["ours"], strict=True)
    ]
    figure.judge(spread(ratios), GOAL, higher_is_better=True)
    figure.details = {
        "floats": size,
        "rounds": settings.rounds,
        "mlflow_seconds": vars(spread(samples["mlflow"])),
        "ours_seconds": vars(spread(samples["ours"])),
        "ratios": ratios,
    }
    return figure
