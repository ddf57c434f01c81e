"""Breaks errors.does-not-exist-code (SHOULD): get re-raises every server error as a generic
MlflowException (INTERNAL_ERROR), so a missing deployment loses its RESOURCE_DOES_NOT_EXIST.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "errors.does-not-exist-code"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        try:
            return super().get_deployment(name, endpoint)
        except api.MlflowException as error:
            raise api.MlflowException(f"get_deployment failed: {error.message}") from error
