"""Breaks endpoint.update.missing-raises: updating an endpoint that does not exist creates it."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.update.missing-raises"
# It does not raise at all, so there is no error code either.
ALSO_FAILS = {"endpoint.update.missing-code"}


class Client(good.Client):
    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        with self.store.lock:
            self.store.endpoints.setdefault(endpoint, {"name": endpoint, "config": {}})
        super().update_endpoint(endpoint, config)
