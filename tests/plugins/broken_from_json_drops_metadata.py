"""Breaks predictions.json-round-trip: responses carry the model's URI, but the response class's
from_json keeps only 'predictions', so a response read back from a file has lost it.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predictions.json-round-trip"
ALSO_FAILS: set[str] = set()


class Response(api.PredictionsResponse):
    @classmethod
    def from_json(cls, json_str: str | bytes | bytearray) -> Response:
        return cls({"predictions": super().from_json(json_str)["predictions"]})


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Response:
        response = super().predict(deployment_name, inputs, endpoint)
        model_uri = self.get_deployment(str(deployment_name), endpoint)["model_uri"]
        return Response({**response, "model_uri": model_uri})
