"""Breaks deployment.list.reflects-changes: each client caches its first listing and never
refreshes it.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.list.reflects-changes"
# Every check that looks for a new deployment in the listing misses it; the kit lists once
# before its first create (to note what the target already held), so even the first listing
# a check reads is stale. A scenario's own client lists first after its create, so its listing
# after the delete is the stale one.
ALSO_FAILS = {
    "stateful.lifecycle",
    "names.hostile",
    "deployment.list.returns-dicts",
    "deployment.delete.removes",
}


class Client(good.Client):
    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self._listed: dict[str | None, list[dict[str, Any]]] = {}

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        if endpoint not in self._listed:
            self._listed[endpoint] = super().list_deployments(endpoint)
        return [dict(deployment) for deployment in self._listed[endpoint]]
