"""Breaks predictions.json-round-trip: predict wraps the model's output as it comes, in MLflow's
own PredictionsResponse, whose to_json is json.dumps. Real pyfunc models return numpy arrays
and pandas objects, so to_json raises, and so would `mlflow deployments predict`. Only the
kit's default models show it: they return such output, while the models the other runs name
happen to give lists. Needs MLflow, for its response class and for the default models.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "predictions.json-round-trip"
# Every check that writes the response as JSON fails the same way.
ALSO_FAILS = {"predictions.to-json-path", "predictions.strict-json"}
DEFAULT_MODELS = True  # run with the kit's own models: no --deployment-model-uri


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        from mlflow.deployments import PredictionsResponse

        model = self._model(deployment_name, endpoint)
        return PredictionsResponse({"predictions": model.predict(good.as_frame(inputs))})
