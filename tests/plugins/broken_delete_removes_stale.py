"""Breaks resources.foreign-kept (MUST): after deleting what it was asked to, delete_deployment
tidies up "stale" deployments, the ones created before this session of the plugin began, taking
them for an earlier session's orphans. They are the users' production deployments.
"""

from __future__ import annotations

import time
from typing import Any

import variant_foreign_resources as seeded
from good import run_local, target_help  # noqa: F401

VIOLATES = "resources.foreign-kept"
ALSO_FAILS: set[str] = set()

SESSION_STARTED = time.time()


class Client(seeded.Client):
    def _insert(self, record: dict[str, Any], model: Any) -> None:
        super()._insert({**record, "created_at": time.time()}, model)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        super().delete_deployment(name, config, endpoint)
        with self.store.lock:
            stale = [
                stale_name
                for stale_name, record in self.store.deployments.items()
                if record.get("created_at", 0.0) < SESSION_STARTED
            ]
            for stale_name in stale:
                del self.store.deployments[stale_name]
                self.store.served.pop(stale_name, None)
