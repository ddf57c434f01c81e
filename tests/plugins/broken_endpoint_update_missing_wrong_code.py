"""Breaks endpoint.update.missing-code: a missing endpoint is reported as a bad argument."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.update.missing-code"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        with self.store.lock:
            known = endpoint in self.store.endpoints
        if not known:
            raise good.invalid(f"Bad endpoint argument {endpoint!r}.")
        super().update_endpoint(endpoint, config)
