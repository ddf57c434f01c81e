"""Which store a target URI names: one per namespace, or one per file, in this process.

Every client of one namespace uses the same :class:`~reference_target.store.memory.MemoryStore`,
as clients of one server would; a durable store is opened once per process and file, and every
process that opens the file shares what it holds.
"""

from __future__ import annotations

import threading

from reference_target.store.memory import MemoryStore
from reference_target.store.protocol import DeploymentStore
from reference_target.store.sqlite import close_sqlite_store, open_sqlite_store

__all__ = ["drop_store", "get_store"]

_stores: dict[str, MemoryStore] = {}
_stores_lock = threading.Lock()


def get_store(namespace: str, path: str | None = None) -> DeploymentStore:
    """The one store of ``namespace``, created on first use; with ``path``, that file's store."""
    if path is not None:
        return open_sqlite_store(path)
    # Every call looks its store up; a dict read is atomic, so only creating one takes the lock.
    store = _stores.get(namespace)
    if store is not None:
        return store
    with _stores_lock:
        store = _stores.get(namespace)
        if store is None:
            store = _stores[namespace] = MemoryStore(namespace)
        return store


def drop_store(namespace: str, path: str | None = None) -> None:
    """Empty and forget ``namespace``'s store (or the file's): its next use starts from nothing."""
    if path is not None:
        open_sqlite_store(path).clear()
        close_sqlite_store(path)
        return
    with _stores_lock:
        store = _stores.pop(namespace, None)
    if store is not None:
        store.clear()
