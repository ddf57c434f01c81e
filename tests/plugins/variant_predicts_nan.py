"""A plugin whose model legitimately predicts NaN: a row with a negative feature is a missing
value, not a number. With MLflow installed it answers with MLflow's own PredictionsResponse,
which writes the NaN token and reads it back; every MUST passes, and only
predictions.strict-json (SHOULD) fails, because that token is not standard JSON.
"""

from __future__ import annotations

import math
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api
from conformance.api._mlflow import mlflow_deployments

_mlflow = mlflow_deployments()
# MLflow's class when it is there: the one real plugins return, with json.dumps' NaN token.
ResponseClass: type[dict[str, Any]] = (
    api.PredictionsResponse if _mlflow is None else _mlflow.PredictionsResponse
)


def _missing_where_negative(frame: Any, predictions: list[Any]) -> list[Any]:
    negative = (frame.select_dtypes("number") < 0).any(axis=1).tolist()
    return [math.nan if missing else value for missing, value in zip(negative, predictions)]


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        frame = good.as_frame(inputs)
        predictions = good.as_json_list(self._model(deployment_name, endpoint).predict(frame))
        return ResponseClass({"predictions": _missing_where_negative(frame, predictions)})
