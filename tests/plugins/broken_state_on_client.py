"""Breaks client.shared-state (SHOULD): each client keeps its deployments on itself, so a second
client of the same target URI sees none of them.
"""

from __future__ import annotations

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "client.shared-state"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self.store = good.Store()
