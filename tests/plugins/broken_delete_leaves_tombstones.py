"""Breaks deployment.delete.removes: deleted deployments stay in the listing, marked DELETED
(a soft delete).
"""

from __future__ import annotations

import threading
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "deployment.delete.removes"
# Every check that expects a deleted name to leave the listing sees it stay.
ALSO_FAILS = {
    "deployment.list.reflects-changes",
    "names.dns-labels-round-trip",
    "stateful.lifecycle",
}

_DELETED: dict[str, set[str]] = {}  # target URI -> deleted names
_LOCK = threading.Lock()


class Client(good.Client):
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        super().delete_deployment(name, config, endpoint)
        with _LOCK:
            _DELETED.setdefault(self.target_uri, set()).add(name)

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        live = super().list_deployments(endpoint)
        if endpoint is not None:
            return live
        names = {deployment["name"] for deployment in live}
        with _LOCK:
            deleted = sorted(_DELETED.get(self.target_uri, set()) - names)
        return live + [{"name": name, "status": "DELETED"} for name in deleted]
