"""``reference_predict``: what the ``memory`` client adds around a model's own predict.

One round scores a 100k-row frame of two float columns 50 times through
``MemoryDeploymentClient.predict`` (name and input checks, store lookup, input shaping, the
PredictionsResponse) and as often through the built-in linear model's ``predict`` on the same
frame, alternating call by call. The figure is the client's median time per call over the
model's, one ratio per round; goal ≤ 1.1.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable

from benchmarks import Figure, Settings, spread

NAME = "reference_predict"
GOAL = 1.1
MODEL_URI = "reference:/linear?weights=2,-1&bias=0.5"
CALLS = 50


def _round(sides: dict[str, Callable[[], object]], calls: int) -> dict[str, float]:
    """Median seconds per call of each side over ``calls`` calls, alternating call by call.

    A call takes a fraction of a millisecond, so alternating at that grain exposes both sides
    to the same moments of load from other processes, and the median drops the calls that a
    burst of such load happened to hit.
    """
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    gc.collect()
    for number in range(calls):
        for name in names if number % 2 == 0 else reversed(names):
            start = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(samples) for name, samples in times.items()}


def measure(settings: Settings) -> Figure:
    import numpy as np
    import pandas as pd

    from reference_target.client import MemoryDeploymentClient
    from reference_target.models import load_model
    from reference_target.store import drop_store

    rows = 20_000 if settings.quick else 100_000
    figure = Figure(
        NAME,
        measures=f"client.predict / model.predict, {rows:,} rows x 2 float columns",
        unit="x",
        goal=f"≤ {GOAL:g}",
    )
    namespace = f"bench-predict-{os.getpid()}"
    client = MemoryDeploymentClient(f"memory:/{namespace}")
    try:
        client.create_deployment("linear", MODEL_URI)
        frame = pd.DataFrame(
            np.random.default_rng(0).random((rows, 2)), columns=["first", "second"]
        )
        model = load_model(MODEL_URI)
        # Both sides must compute the same thing, or the ratio means nothing.
        through_client = client.predict("linear", frame).get_predictions("ndarray")
        if not np.array_equal(np.asarray(through_client), model.predict(frame)):
            raise RuntimeError("the client's predictions differ from the model's")
        sides: dict[str, Callable[[], object]] = {
            "client": lambda: client.predict("linear", frame),
            "model": lambda: model.predict(frame),
        }
        rounds = [_round(sides, CALLS) for _ in range(settings.rounds)]
        samples = {name: [totals[name] for totals in rounds] for name in sides}
    finally:
        drop_store(namespace)
    ratios = [c / m for c, m in zip(samples["client"], samples["model"], strict=True)]
    figure.judge(spread(ratios), GOAL, higher_is_better=False)
    figure.details = {
        "rows": rows,
        "calls_per_round": CALLS,
        "rounds": settings.rounds,
        "client_ms_per_call": vars(spread([s * 1e3 for s in samples["client"]])),
        "model_ms_per_call": vars(spread([s * 1e3 for s in samples["model"]])),
        "ratios": ratios,
    }
    return figure
