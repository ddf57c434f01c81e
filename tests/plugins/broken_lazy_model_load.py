"""Breaks deployment.create.bad-model-raises: models load on first use, so create accepts any
model URI and the failure comes at predict time.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import reference_target.models as models

VIOLATES = "deployment.create.bad-model-raises"
# The accepted create leaves a deployment of nothing behind.
ALSO_FAILS = {"deployment.create.bad-model-leaves-nothing"}


class LazyModel(models.Model):
    """Loads the model the first time it is used."""

    def __init__(self, model_uri: Any, flavor: str | None) -> None:
        self.model_uri, self.flavor = model_uri, flavor

    def _loaded(self) -> models.Model:
        return models.load_model(good.check_model_uri(self.model_uri), self.flavor)

    def predict(self, frame: Any, params: Any = None) -> Any:
        return self._loaded().predict(frame, params)

    def explain(self, frame: Any) -> Any:
        return self._loaded().explain(frame)


class Client(good.Client):
    def _load(self, model_uri: object, flavor: str | None) -> models.Model:
        return LazyModel(model_uri, flavor)
