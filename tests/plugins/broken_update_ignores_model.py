"""Breaks deployment.update.switches-model: update_deployment applies the config and ignores
model_uri, so the old model keeps serving.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.update.switches-model"
# Random sequences catch it only when they update a deployment to the other model and then
# predict with it, which derandomised runs of the kit happen not to do.
ALSO_FAILS = {"stateful.lifecycle"}


class Client(good.Client):
    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        if flavor is not None and model_uri is None:
            raise good.invalid("A flavor applies to a model: pass model_uri together with flavor.")
        return super().update_deployment(name, config=config, endpoint=endpoint)
