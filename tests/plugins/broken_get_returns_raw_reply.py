"""Breaks deployment.get.returns-name: get_deployment returns the server's raw reply, which
names the deployment under 'deploymentName' rather than 'name'.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.get.returns-name"
# Every check that reads a name back from get sees the same reply.
ALSO_FAILS = {"stateful.lifecycle", "names.dns-labels-round-trip", "names.hostile"}


class Client(good.Client):
    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        record = super().get_deployment(name, endpoint)
        return {"deploymentName": record.pop("name"), **record}
