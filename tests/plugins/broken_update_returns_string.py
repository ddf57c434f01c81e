"""Breaks deployment.update.returns-flavor (SHOULD): update_deployment returns a status string."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.update.returns-flavor"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> str:
        super().update_deployment(name, model_uri, flavor, config, endpoint)
        return "UPDATED"
