"""Breaks predictions.strict-json (SHOULD): the response class writes JSON with json.dumps, so
the drift score it reports as NaN (no reference data yet) comes out as the token NaN.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predictions.strict-json"
ALSO_FAILS: set[str] = set()


class Response(api.PredictionsResponse):
    def to_json(self, path: str | os.PathLike[str] | None = None) -> str | None:
        text = json.dumps(dict(self))
        if path is None:
            return text
        Path(path).write_text(text)
        return None


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Response:
        response = super().predict(deployment_name, inputs, endpoint)
        return Response({**response, "drift_score": math.nan})
