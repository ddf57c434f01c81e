"""Breaks deployment.create.returns-name: create_deployment returns the server's raw reply,
which has no 'name' key.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.create.returns-name"
# Every check that reads a name back from create sees the same reply.
ALSO_FAILS = {
    "stateful.lifecycle",
    "names.dns-labels-round-trip",
    "names.hostile",
    "concurrency.create-one-winner",
}


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        created = super().create_deployment(name, model_uri, flavor, config, endpoint)
        return {"status": "CREATED", "deploymentId": created["name"], "flavor": created["flavor"]}
