"""Breaks endpoint.update.bad-config-raises: the config is merged without a look, so a string
fails inside dict.update with ValueError instead of MlflowException.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.update.bad-config-raises"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        with self.store.lock:
            if endpoint not in self.store.endpoints:
                raise good.missing("endpoint", endpoint)
            self.store.endpoints[endpoint]["config"].update(config or {})
