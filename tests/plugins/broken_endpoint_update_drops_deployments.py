"""Breaks endpoint.update.keeps-deployments: an update rebuilds the endpoint and drops the
deployments that were under it.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.update.keeps-deployments"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        super().update_endpoint(endpoint, config)
        with self.store.lock:
            for name, record in list(self.store.deployments.items()):
                if record["endpoint"] == endpoint:
                    del self.store.deployments[name]
                    self.store.served.pop(name, None)
