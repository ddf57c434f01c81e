"""Breaks deployment.create.returns-flavor (SHOULD): create_deployment returns only the name."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.create.returns-flavor"
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
        created = super().create_deployment(name, model_uri, flavor, config, endpoint)
        return {"name": created["name"]}
