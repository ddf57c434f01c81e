"""Breaks predict.missing-raises: predict with a deployment that does not exist returns empty
predictions.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predict.missing-raises"
ALSO_FAILS = {"stateful.lifecycle"}


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        with self.store.lock:
            if deployment_name not in self.store.deployments:
                return api.PredictionsResponse({"predictions": []})
        return super().predict(deployment_name, inputs, endpoint)
