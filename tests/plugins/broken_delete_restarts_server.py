"""Breaks deployment.delete.spares-others: every deployment of a target shares one model server,
and deleting any deployment restarts it, so the next request, to whichever deployment, fails.
"""

from __future__ import annotations

import threading
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "deployment.delete.spares-others"
# Both checks predict with another deployment after deleting one. Scenarios run at once, so
# any predict on the shared deployment may come right after another scenario's delete.
ALSO_FAILS = {
    "names.hostile",
    "stateful.lifecycle",
    "deployment.create.blocks-until-ready",
    "deployment.create.conflict-keeps-existing",
    "deployment.update.config-only-keeps-model",
    "deployment.update.switches-model",
    "predict.input-unchanged",
    "predict.returns-response",
    "predictions.formats",
    "predictions.unknown-format-raises",
    "predictions.json-round-trip",
    "predictions.to-json-path",
    "predictions.strict-json",
    "explain.returns-json-able",
    "stream.yields-dicts",
    "endpoint.predict.returns-response",
    "endpoint.explain.returns-json-able",
}

# The restart is consumed by whichever request comes next: with scenarios running at once,
# another scenario's predict can take it between the lifecycle's delete and its predict on
# another deployment. One scenario at a time keeps that pair back to back, so the catch is
# certain rather than a matter of timing.
KIT_ARGS = ("--conformance-thread-safe=off",)

_RESTARTING: set[str] = set()  # target URIs whose shared server is restarting
_LOCK = threading.Lock()


class Client(good.Client):
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        super().delete_deployment(name, config, endpoint)
        with _LOCK:
            _RESTARTING.add(self.target_uri)

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        with _LOCK:
            restarting = self.target_uri in _RESTARTING
            _RESTARTING.discard(self.target_uri)  # the restart is over after this request
        if restarting:
            raise api.MlflowException("The model server is restarting.", api.INTERNAL_ERROR)
        return super().predict(deployment_name, inputs, endpoint)
