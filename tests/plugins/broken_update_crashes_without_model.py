"""Breaks deployment.update.config-only-keeps-model: update_deployment assumes every update
brings a model, so a config-only update (model_uri=None) crashes with AttributeError.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.update.config-only-keeps-model"
ALSO_FAILS: set[str] = set()


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
            raise good.invalid("A flavor applies to a model: pass model_uri together with flavor.")
        model_uri = model_uri.strip()  # type: ignore[union-attr]
        return super().update_deployment(name, model_uri, flavor, config, endpoint)
