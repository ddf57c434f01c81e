"""Breaks predict.returns-response for a chat-style target: predict answers the chat request
with a plain dict, on which `mlflow deployments predict` cannot call to_json().
"""

from __future__ import annotations

from typing import Any

import variant_chat_messages
from variant_chat_messages import run_local, target_help  # noqa: F401

VIOLATES = "predict.returns-response"
KIT_ARGS = ("--deployment-input=chat.json",)
# The response checks have no PredictionsResponse to take apart: they cannot judge (error).
ALSO_FAILS = {
    "predictions.formats",
    "predictions.unknown-format-raises",
    "predictions.json-round-trip",
    "predictions.to-json-path",
    "predictions.strict-json",
    "predictions.class-round-trips",
    "endpoint.predict.returns-response",
}


class Client(variant_chat_messages.Client):
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> dict[str, Any]:
        return dict(super().predict(deployment_name, inputs, endpoint))
