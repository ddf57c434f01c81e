"""A correct read-only client, shaped like MLflow's gateway client: one configured chat endpoint
to list, get and query with predict(endpoint=…); deployments and endpoint changes are not
supported. Certified with --deployment-existing-endpoint=chat and core declared off.
"""

from __future__ import annotations

from typing import Any

from good import missing, run_local, target_help  # noqa: F401
from variant_chat_messages import reply_to

import conformance.api as api

ENDPOINT = {"name": "chat", "endpoint_type": "llm/v1/chat", "model": "stub"}


def _read_only(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("this client only reads and queries configured endpoints")


class Client(api.BaseDeploymentClient):
    create_deployment = update_deployment = delete_deployment = _read_only
    list_deployments = get_deployment = _read_only
    create_endpoint = update_endpoint = delete_endpoint = _read_only

    def _endpoint(self, endpoint: object) -> dict[str, Any]:
        if endpoint != ENDPOINT["name"]:
            raise missing("endpoint", str(endpoint))
        return dict(ENDPOINT)

    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        return self._endpoint(endpoint)

    def list_endpoints(self) -> list[dict[str, Any]]:
        return [dict(ENDPOINT)]

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        model = self._endpoint(endpoint)["model"]
        return api.PredictionsResponse({"predictions": [reply_to(inputs, model)]})
