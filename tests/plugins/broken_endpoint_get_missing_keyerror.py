"""Breaks endpoint.get.missing-raises: get_endpoint looks the name up unguarded, so a missing
endpoint raises KeyError instead of MlflowException.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.get.missing-raises"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        with self.store.lock:
            return good.public(self.store.endpoints[endpoint])
