"""Breaks endpoint.delete.no-dangling-deployments: deleting an endpoint that holds deployments
drops the endpoint and leaves its deployments naming it.
"""

from __future__ import annotations

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.delete.no-dangling-deployments"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def delete_endpoint(self, endpoint: str) -> None:
        with self.store.lock:
            self.store.endpoints.pop(endpoint, None)
