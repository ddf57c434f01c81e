"""Where the ``memory`` target keeps its deployments and endpoints.

- :mod:`~reference_target.store.records`: the immutable :class:`Deployment` and
  :class:`Endpoint` records, and the summaries a listing shows.
- :mod:`~reference_target.store.errors`: the error for each broken rule, shared by the stores.
- :mod:`~reference_target.store.protocol`: :class:`DeploymentStore`, the whole interface the
  client uses, with each method's contract.
- :mod:`~reference_target.store.memory`: :class:`MemoryStore`, kept in this process.
- :mod:`~reference_target.store.sqlite`: :class:`SQLiteStore`, kept in an SQLite file that
  every process naming it shares.
- :mod:`~reference_target.store.registry`: which store a namespace or file names.

Each module imports only those above it in this list, so there is no import cycle.
"""

from reference_target.store.errors import (
    deployment_exists,
    endpoint_exists,
    endpoint_in_use,
    no_deployment,
    no_endpoint,
)
from reference_target.store.memory import MemoryStore
from reference_target.store.protocol import DeploymentStore
from reference_target.store.records import READY, Deployment, Endpoint, deployment_summaries
from reference_target.store.registry import drop_store, get_store
from reference_target.store.sqlite import SQLiteStore, close_sqlite_store, open_sqlite_store

__all__ = [
    "READY",
    "Deployment",
    "DeploymentStore",
    "Endpoint",
    "MemoryStore",
    "SQLiteStore",
    "close_sqlite_store",
    "deployment_exists",
    "deployment_summaries",
    "drop_store",
    "endpoint_exists",
    "endpoint_in_use",
    "get_store",
    "no_deployment",
    "no_endpoint",
    "open_sqlite_store",
]
