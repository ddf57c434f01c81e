"""Breaks predictions.unknown-format-raises: the response class falls back to a DataFrame for a
format it does not know.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predictions.unknown-format-raises"
ALSO_FAILS: set[str] = set()


class Response(api.PredictionsResponse):
    def get_predictions(self, predictions_format: str = "dataframe", dtype: Any = None) -> Any:
        if predictions_format not in ("dataframe", "ndarray"):
            predictions_format = "dataframe"
        return super().get_predictions(predictions_format, dtype)


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Response:
        return Response(super().predict(deployment_name, inputs, endpoint))
