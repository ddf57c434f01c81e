"""The correct plugin on a target that already holds deployments and endpoints of its users:
one under an endpoint, one with its own flavor, and names that look like the kit's. The kit
must pass it and leave every one of them as it was.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import reference_target.models as models

LINEAR = "reference:/linear?weights=1,1"
# name -> (model_uri, flavor, endpoint): what the users deployed before the kit ran.
FOREIGN_DEPLOYMENTS: dict[str, tuple[str, str, str | None]] = {
    "team-churn": (LINEAR, "python_function", None),
    "team-fraud": (LINEAR, "sklearn", None),
    "team-ep-scorer": (LINEAR, "python_function", "team-ep"),
    "mdc-europe-m-churn": (LINEAR, "python_function", None),
    "team/mdc-abc123-w1-model": (LINEAR, "python_function", None),
}
FOREIGN_ENDPOINTS = ("team-ep", "mdc-europe-m-ep")


def seed(store: good.Store) -> None:
    """Put the users' resources in ``store`` once, as if they had been there all along."""
    with store.lock:
        if getattr(store, "seeded", False):
            return
        store.seeded = True  # type: ignore[attr-defined]
        for endpoint in FOREIGN_ENDPOINTS:
            store.endpoints[endpoint] = {"name": endpoint, "config": {}}
        for name, (model_uri, flavor, endpoint) in FOREIGN_DEPLOYMENTS.items():
            record = good.new_record(name, model_uri, flavor, {}, endpoint)
            store.deployments[name] = {**record, "created_at": 0.0}
            store.served[name] = models.load_model(model_uri)


def untouched(store: good.Store) -> dict[str, Any]:
    """What is left of the users' resources, to compare with what was seeded."""
    return {
        "deployments": {
            name: (r["model_uri"], r["flavor"], r["endpoint"])
            for name, r in store.deployments.items()
            if name in FOREIGN_DEPLOYMENTS
        },
        "endpoints": sorted(e for e in store.endpoints if e in FOREIGN_ENDPOINTS),
    }


class Client(good.Client):
    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        seed(self.store)
