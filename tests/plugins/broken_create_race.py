"""Breaks concurrency.create-one-winner (SHOULD): create checks that the name is free, loads the
model without holding the lock, then inserts without checking again (check-then-act), so
concurrent creates of one name all succeed.
"""

from __future__ import annotations

import time
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "concurrency.create-one-winner"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        name = good.check_name(name)
        with self.store.lock:
            self._check_free(name, endpoint)
        model = self._load(model_uri, flavor)
        time.sleep(0.01)  # a real model takes a while to load
        record = good.new_record(name, model_uri, flavor, config, endpoint)
        with self.store.lock:
            self._insert(record, model)
        return good.public(record)
