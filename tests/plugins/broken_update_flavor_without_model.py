"""Breaks deployment.update.flavor-needs-model: a flavor without a model is recorded against the
old model instead of being refused.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.update.flavor-needs-model"
ALSO_FAILS = {"errors.invalid-parameter-code"}


class Client(good.Client):
    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        if flavor is not None and model_uri is None:
            with self.store.lock:
                record = self._record(good.check_name(name), endpoint)
                record["flavor"] = flavor
                return good.public(record)
        return super().update_deployment(name, model_uri, flavor, config, endpoint)
