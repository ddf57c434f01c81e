"""Breaks deployment.delete.idempotent: deleting a name that does not exist raises
RESOURCE_DOES_NOT_EXIST, as torchserve's and SageMaker's clients do.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.delete.idempotent"
ALSO_FAILS = {"stateful.lifecycle"}


class Client(good.Client):
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        self.get_deployment(name, endpoint)
        super().delete_deployment(name, config, endpoint)
