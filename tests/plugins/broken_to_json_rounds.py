"""Breaks predictions.class-round-trips: the response class rounds floats to four decimals when
it writes JSON, to keep responses small. The sample predictions happen to survive; others don't.
"""

from __future__ import annotations

import os
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "predictions.class-round-trips"
ALSO_FAILS: set[str] = set()


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


class Response(api.PredictionsResponse):
    def to_json(self, path: str | os.PathLike[str] | None = None) -> str | None:
        return api.PredictionsResponse(_rounded(dict(self))).to_json(path)


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Response:
        return Response(super().predict(deployment_name, inputs, endpoint))
