"""Breaks predictions.formats: each row's prediction is a list of candidates whose length
varies, so the predictions are ragged and cannot be an ndarray.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predictions.formats"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        scores = super().predict(deployment_name, inputs, endpoint)["predictions"]
        candidates = [[score] * (1 + row % 2) for row, score in enumerate(scores)]
        return api.PredictionsResponse({"predictions": candidates})
