"""Breaks deployment.create.bad-model-leaves-nothing: create registers the name before it loads
the model, and a model that fails to load leaves the name behind.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.create.bad-model-leaves-nothing"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        name = good.check_name(name)
        record = good.new_record(name, model_uri, flavor, config, endpoint)
        with self.store.lock:
            self._check_free(name, endpoint)
            self.store.deployments[name] = record
        model = self._load(model_uri, flavor)  # raises for a bad model, after the name is taken
        with self.store.lock:
            self.store.served[name] = model
        return good.public(record)
