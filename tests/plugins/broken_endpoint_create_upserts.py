"""Breaks endpoint.create.conflict-raises: creating an endpoint name in use replaces it."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.create.conflict-raises"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        with self.store.lock:
            self.store.endpoints.pop(name, None)
        return super().create_endpoint(name, config)
