"""Breaks endpoint.list.returns-dicts: list_endpoints returns the names as plain strings."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.list.returns-dicts"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def list_endpoints(self) -> list[Any]:
        return [endpoint["name"] for endpoint in super().list_endpoints()]
