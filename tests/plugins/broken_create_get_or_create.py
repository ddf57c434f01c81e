"""Breaks deployment.create.conflict-raises: creating a name in use returns the existing
deployment instead of refusing (get-or-create).
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.create.conflict-raises"
ALSO_FAILS = {
    "errors.already-exists-code",
    "stateful.lifecycle",
    "concurrency.create-one-winner",
}


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        with self.store.lock:
            existing = self.store.deployments.get(name)
            if existing is not None:
                return good.public(existing)
        return super().create_deployment(name, model_uri, flavor, config, endpoint)
