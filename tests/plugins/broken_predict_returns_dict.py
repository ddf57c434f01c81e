"""Breaks predict.returns-response: predict returns a plain dict, on which `mlflow deployments
predict` cannot call to_json().
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "predict.returns-response"
# The response checks have no PredictionsResponse to take apart: they cannot judge (error).
ALSO_FAILS = {
    "predictions.formats",
    "predictions.unknown-format-raises",
    "predictions.json-round-trip",
    "predictions.to-json-path",
    "predictions.strict-json",
    "predictions.class-round-trips",
    "endpoint.predict.returns-response",
}


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> dict[str, Any]:
        return dict(super().predict(deployment_name, inputs, endpoint))
