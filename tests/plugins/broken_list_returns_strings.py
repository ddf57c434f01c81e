"""Breaks deployment.list.returns-dicts: list_deployments returns the names as plain strings."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.list.returns-dicts"
# Every check that reads list_deployments() gets strings.
ALSO_FAILS = {
    "deployment.list.reflects-changes",
    "deployment.create.bad-model-leaves-nothing",
    "deployment.delete.removes",
    "client.shared-state",
    "names.dns-labels-round-trip",
    "names.hostile",
    "stateful.lifecycle",
    "endpoint.lists-its-deployments",
    "endpoint.update.keeps-deployments",
    "endpoint.delete.no-dangling-deployments",
}


class Client(good.Client):
    def list_deployments(self, endpoint: str | None = None) -> list[Any]:
        return [deployment["name"] for deployment in super().list_deployments(endpoint)]
