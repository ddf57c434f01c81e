"""A correct plugin whose predict scores a named deployment only: predict(None, …, endpoint=…)
is refused, so the checks of predictions routed by endpoint do not apply.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api


class Client(good.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        if deployment_name is None:
            raise good.invalid("Name the deployment to score.")
        return super().predict(deployment_name, inputs, endpoint)
