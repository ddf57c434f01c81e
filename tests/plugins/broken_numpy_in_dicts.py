"""Breaks deployment.dicts-json-able (SHOULD): get_deployment reports the replica count as the
numpy integer the status API hands back, which JSON writers refuse.
"""

from __future__ import annotations

from typing import Any

import good
import numpy as np
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.dicts-json-able"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        replicas = np.array([1, 1]).sum()  # numpy.int64
        return {**super().get_deployment(name, endpoint), "replicas": replicas}
