"""Breaks errors.already-exists-code (SHOULD): create re-raises every server error as a generic
MlflowException (INTERNAL_ERROR), so a conflict loses its RESOURCE_ALREADY_EXISTS code.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "errors.already-exists-code"
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
        try:
            return super().create_deployment(name, model_uri, flavor, config, endpoint)
        except api.MlflowException as error:
            raise api.MlflowException(f"create_deployment failed: {error.message}") from error
