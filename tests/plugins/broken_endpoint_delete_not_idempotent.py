"""Breaks endpoint.delete.idempotent: deleting an endpoint that does not exist raises."""

from __future__ import annotations

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.delete.idempotent"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def delete_endpoint(self, endpoint: str) -> None:
        self.get_endpoint(endpoint)
        super().delete_endpoint(endpoint)
