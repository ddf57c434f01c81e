"""Breaks endpoint.dicts-json-able: endpoint dicts carry their creation time as a datetime,
which json.dumps refuses.
"""

from __future__ import annotations

import datetime
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.dicts-json-able"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        created = super().create_endpoint(name, config)
        stamp = datetime.datetime.now(datetime.timezone.utc)
        with self.store.lock:
            self.store.endpoints[name]["created"] = stamp
        return {**created, "created": stamp}
