"""Breaks errors.invalid-parameter-code (SHOULD): update re-raises every error as a generic
MlflowException (INTERNAL_ERROR), so a flavor without a model loses INVALID_PARAMETER_VALUE.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "errors.invalid-parameter-code"
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
        try:
            return super().update_deployment(name, model_uri, flavor, config, endpoint)
        except api.MlflowException as error:
            raise api.MlflowException(f"update_deployment failed: {error.message}") from error
