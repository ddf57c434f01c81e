"""Breaks deployment.get.missing-raises: get_deployment returns None for a name that does not
exist.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.get.missing-raises"
# Every check that tells "gone" from "there" by get's exception is misled.
ALSO_FAILS = {
    "errors.does-not-exist-code",
    "deployment.create.bad-model-leaves-nothing",
    "deployment.delete.removes",
    "stateful.lifecycle",
}


class Client(good.Client):
    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any] | None:
        with self.store.lock:
            if name not in self.store.deployments:
                return None
        return super().get_deployment(name, endpoint)
