"""Breaks endpoint.get.returns-name: get_endpoint returns the server's raw reply, which names
the endpoint under 'endpointName'.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.get.returns-name"
# The update check reads the endpoint back with get_endpoint: it cannot judge (error).
ALSO_FAILS = {"endpoint.update.returns"}


class Client(good.Client):
    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        record = super().get_endpoint(endpoint)
        return {"endpointName": record.pop("name"), **record}
