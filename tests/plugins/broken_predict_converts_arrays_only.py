"""Breaks predictions.json-round-trip: predict makes numpy arrays and DataFrames JSON-able, but
passes every other container through as the model returned it, in MLflow's own
PredictionsResponse, whose to_json is json.dumps. A model returning a pandas Series, or a list
of numpy scalars (float32, int64), then breaks to_json, and `mlflow deployments predict` with it.
Only the kit's default models show it, as they answer in every container pyfunc models return.
Needs MLflow, for its response class and for the default models.
"""

from __future__ import annotations

import json
from typing import Any

import good
import numpy as np
import pandas as pd
from good import run_local, target_help  # noqa: F401

VIOLATES = "predictions.json-round-trip"
# Every check that writes the response as JSON fails the same way.
ALSO_FAILS = {"predictions.to-json-path", "predictions.strict-json"}
DEFAULT_MODELS = True  # run with the kit's own models: no --deployment-model-uri


def _jsonable(predictions: Any) -> Any:
    if isinstance(predictions, pd.DataFrame):
        return json.loads(predictions.to_json(orient="records"))
    if isinstance(predictions, np.ndarray):
        return predictions.tolist()
    return predictions


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        from mlflow.deployments import PredictionsResponse

        model = self._model(deployment_name, endpoint)
        predicted = model.predict(good.as_frame(inputs))
        return PredictionsResponse({"predictions": _jsonable(predicted)})
