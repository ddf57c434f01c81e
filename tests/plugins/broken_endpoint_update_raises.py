"""Breaks endpoint.update.returns: update_endpoint refuses an update without config, which is
what `mlflow deployments update-endpoint` sends when no --config is given.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.update.returns"
# With the update refused, nothing shows whether deployments survive one: cannot judge.
ALSO_FAILS = {"endpoint.update.keeps-deployments"}


class Client(good.Client):
    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        if not config and endpoint in self.store.endpoints:
            raise good.invalid(f"Nothing to update on endpoint {endpoint!r}.")
        super().update_endpoint(endpoint, config)
