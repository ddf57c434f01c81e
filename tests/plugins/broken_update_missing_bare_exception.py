"""Breaks deployment.update.missing-raises: updating a missing deployment raises a bare
Exception instead of MlflowException.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.update.missing-raises"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        with self.store.lock:
            if name not in self.store.deployments:
                raise Exception(f"deployment {name} not found")
        return super().update_deployment(name, model_uri, flavor, config, endpoint)
