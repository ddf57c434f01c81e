"""Breaks stateful.lifecycle: list_deployments returns the first page of the server's listing
(four deployments) and ignores the rest. Single checks never have more than four deployments
at once; random sequences do, given the thorough profile's budget (a default run creates one
deployment per generated check).
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "stateful.lifecycle"
ALSO_FAILS: set[str] = set()
KIT_ARGS = ("--conformance-hypothesis=thorough",)

PAGE_SIZE = 4


class Client(good.Client):
    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        return super().list_deployments(endpoint)[:PAGE_SIZE]
