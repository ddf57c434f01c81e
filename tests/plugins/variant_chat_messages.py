"""A correct chat-style target: predict takes only ``{"messages": [...]}`` and answers with the
assistant's message, as LLM serving targets do. It is conformant from the command line with
``--deployment-input`` naming a chat request file, and no hook.

Each deployment answers with text that names its model, so an update to another model is seen
in the reply; the reference target's model URIs are loaded only to refuse unresolvable ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

KIT_ARGS = ("--deployment-input=chat.json",)


def reply_to(inputs: Any, model_uri: str) -> dict[str, str]:
    """The assistant's answer to a chat request; anything but ``{"messages": [...]}`` raises."""
    messages = inputs.get("messages") if isinstance(inputs, dict) else None
    if not isinstance(messages, list) or not messages:
        raise good.invalid(
            'This target takes a chat request: {"messages": [{"role": "user", "content": ...}]}; '
            f"got {type(inputs).__name__}."
        )
    last = messages[-1].get("content") if isinstance(messages[-1], dict) else None
    return {"role": "assistant", "content": f"{model_uri} heard: {last}"}


class Client(good.Client):
    def _model_uri(self, deployment_name: str | None, endpoint: str | None) -> str:
        self._model(deployment_name, endpoint)  # the same routing and errors as good.Client
        with self.store.lock:
            if deployment_name is None:
                return next(
                    r["model_uri"]
                    for r in self.store.deployments.values()
                    if r["endpoint"] == endpoint
                )
            return str(self.store.deployments[deployment_name]["model_uri"])

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        answer = reply_to(inputs, self._model_uri(deployment_name, endpoint))
        return api.PredictionsResponse({"predictions": [answer]})

    def predict_stream(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Iterator[dict[str, Any]]:
        answer = reply_to(inputs, self._model_uri(deployment_name, endpoint))
        return iter([{"predictions": [answer]}])

    # Chat models have no feature attributions to give.
    explain = api.BaseDeploymentClient.explain
