"""Breaks resources.foreign-unchanged (SHOULD): every create rewrites the store in the format of
this version of the plugin, which serves everything as python_function, so a deployment its
owner made with another flavor silently changes flavor.
"""

from __future__ import annotations

from typing import Any

import variant_foreign_resources as seeded
from good import DEFAULT_FLAVOR, run_local, target_help  # noqa: F401

VIOLATES = "resources.foreign-unchanged"
ALSO_FAILS: set[str] = set()


class Client(seeded.Client):
    def _insert(self, record: dict[str, Any], model: Any) -> None:
        super()._insert(record, model)
        for stored in self.store.deployments.values():
            stored["flavor"] = DEFAULT_FLAVOR
