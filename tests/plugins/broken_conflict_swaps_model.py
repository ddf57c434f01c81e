"""Breaks deployment.create.conflict-keeps-existing: create loads the new model into the name's
slot before it notices the conflict, so the refused create still replaces what is served.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.create.conflict-keeps-existing"
# Random sequences catch it only when they re-create a deployment with the other model and
# then predict with it, which derandomised runs of the kit happen not to do.
ALSO_FAILS = {"stateful.lifecycle"}


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        model = self._load(model_uri, flavor)
        with self.store.lock:
            if name in self.store.served:
                self.store.served[name] = model
        return super().create_deployment(name, model_uri, flavor, config, endpoint)
