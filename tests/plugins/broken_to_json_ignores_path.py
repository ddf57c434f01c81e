"""Breaks predictions.to-json-path: the response class's to_json ignores path, so
`mlflow deployments predict --output-path` writes nothing.
"""

from __future__ import annotations

import os
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predictions.to-json-path"
ALSO_FAILS: set[str] = set()


class Response(api.PredictionsResponse):
    def to_json(self, path: str | os.PathLike[str] | None = None) -> str | None:
        return super().to_json()


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Response:
        return Response(super().predict(deployment_name, inputs, endpoint))
