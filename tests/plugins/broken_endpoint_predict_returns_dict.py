"""Breaks endpoint.predict.returns-response: predictions routed by endpoint come back as the
plain dict a server replied, on which `mlflow deployments predict --endpoint` cannot call
to_json(). Predictions by deployment name are right.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "endpoint.predict.returns-response"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse | dict[str, Any]:
        response = super().predict(deployment_name, inputs, endpoint)
        return dict(response) if deployment_name is None else response
