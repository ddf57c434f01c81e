"""Breaks deployment.create.config-none: create reads its settings with config.get(...), which
raises AttributeError when config is None.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.create.config-none"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        replicas = int(config.get("replicas", 1))  # type: ignore[union-attr]
        settings = {**config, "replicas": replicas}  # type: ignore[dict-item]
        return super().create_deployment(name, model_uri, flavor, settings, endpoint)
