"""A correct plugin written for MLflow's older API: no ``config`` or ``endpoint`` parameter
anywhere, deployment methods only. MLflow's CLI passes those arguments only to methods that
take them, and endpoints, explain and predict_stream are left to the base class.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api


class Client(api.BaseDeploymentClient):
    """Delegates to good's client, through the old signatures."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self._target = good.Client(target_uri)

    def create_deployment(
        self, name: str, model_uri: str, flavor: str | None = None
    ) -> dict[str, Any]:
        return self._target.create_deployment(name, model_uri, flavor)

    def update_deployment(
        self, name: str, model_uri: str | None = None, flavor: str | None = None
    ) -> dict[str, Any]:
        return self._target.update_deployment(name, model_uri, flavor)

    def delete_deployment(self, name: str) -> None:
        self._target.delete_deployment(name)

    def list_deployments(self) -> list[dict[str, Any]]:
        return self._target.list_deployments()

    def get_deployment(self, name: str) -> dict[str, Any]:
        return self._target.get_deployment(name)

    def predict(self, deployment_name: str, df: Any) -> api.PredictionsResponse:
        return self._target.predict(deployment_name, df)
