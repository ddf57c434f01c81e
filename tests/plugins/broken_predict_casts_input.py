"""Breaks predict.input-unchanged: predict casts the caller's numeric columns to float32 in
place, to save memory, and so changes the caller's frame.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predict.input-unchanged"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        for column in inputs.select_dtypes("number").columns:
            inputs[column] = inputs[column].astype("float32")
        return super().predict(deployment_name, inputs, endpoint)
