"""Breaks deployment.create.blocks-until-ready: create_deployment returns once the request is
accepted; the model is still starting and the first request to it fails.
"""

from __future__ import annotations

import threading
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "deployment.create.blocks-until-ready"
ALSO_FAILS = {
    # The shared deployment has no first prediction to compare the conflict's outcome with.
    "deployment.create.conflict-keeps-existing",
    # The lifecycle's first predict fails, so there is no "before" to compare the update with.
    "deployment.update.switches-model",
    # Likewise the config-none deployment's first predict, before its config-only update.
    "deployment.update.config-only-keeps-model",
    # Random sequences predict right after create too.
    "stateful.lifecycle",
}

_STARTING: set[tuple[str, str]] = set()  # (target URI, deployment name)
_LOCK = threading.Lock()


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        created = super().create_deployment(name, model_uri, flavor, config, endpoint)
        with _LOCK:
            _STARTING.add((self.target_uri, name))
        return created

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        key = (self.target_uri, str(deployment_name))
        with _LOCK:
            starting = key in _STARTING
            _STARTING.discard(key)  # the model finishes starting meanwhile
        if starting:
            raise api.MlflowException(
                f"Deployment {deployment_name!r} is still starting.", api.INTERNAL_ERROR
            )
        return super().predict(deployment_name, inputs, endpoint)
