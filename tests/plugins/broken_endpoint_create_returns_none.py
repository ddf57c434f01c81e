"""Breaks endpoint.create.returns-name: create_endpoint returns None."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.create.returns-name"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> None:
        super().create_endpoint(name, config)
