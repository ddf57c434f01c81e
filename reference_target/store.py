"""Where the ``memory`` target keeps its deployments and endpoints.

A store holds one namespace's deployments and endpoints. :class:`DeploymentStore` is the whole
interface the client uses, so another store (a durable one, say) can stand in for
:class:`MemoryStore`. Records are immutable; every change replaces a record under the store's
one lock, so each method is atomic and readers never see half a change. Rules about what a
change may do (names unique per store, an endpoint must exist to hold deployments, an endpoint
that holds deployments is never deleted) live here, because only here can they be checked
atomically.

Stores live in a process-wide registry keyed by namespace: every client of one namespace uses
the same store, as clients of one server would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import orjson

import conformance.api as api

if TYPE_CHECKING:
    from reference_target.models import Model

__all__ = [
    "READY",
    "Deployment",
    "DeploymentStore",
    "Endpoint",
    "MemoryStore",
    "deployment_exists",
    "deployment_summaries",
    "drop_store",
    "endpoint_exists",
    "endpoint_in_use",
    "get_store",
    "no_deployment",
    "no_endpoint",
]

READY = "ready"


def _load_config(config_json: bytes, owner: str) -> dict[str, Any]:
    """A stored config as a fresh dict. Only a store file edited by hand can hold one that is
    not a JSON object; that is reported, not passed on as a raw decode error."""
    try:
        config = orjson.loads(config_json)
    except orjson.JSONDecodeError as error:
        problem = f"is not valid JSON ({error})"
    else:
        if isinstance(config, dict):
            return config
        problem = f"is a JSON {type(config).__name__}, not an object"
    raise api.MlflowException(
        f"The stored config of {owner} {problem}: the store was changed outside the memory "
        "target. Write a JSON object into that config, or delete and create it again.",
        api.ErrorCode.INTERNAL_ERROR,
    )


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment. ``config_json`` keeps the config immutable; ``config`` is a fresh copy."""

    name: str
    model_uri: str
    flavor: str
    model: Model
    config_json: bytes = b"{}"
    endpoint: str | None = None
    # The summary a listing shows, built once: listing many deployments then costs one flat
    # copy each. Its values are all str or None, so the GC does not track it or its copies.
    _summary: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        summary = {
            "name": self.name,
            "flavor": self.flavor,
            "model_uri": self.model_uri,
            "endpoint": self.endpoint,
            "state": READY,
        }
        object.__setattr__(self, "_summary", summary)

    @property
    def config(self) -> dict[str, Any]:
        # Most deployments have no config: a new empty dict is cheaper than parsing b"{}".
        if self.config_json == b"{}":
            return {}
        return _load_config(self.config_json, f"deployment {self.name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The whole deployment as callers see it, ``config`` included: theirs to change."""
        return {
            "name": self.name,
            "flavor": self.flavor,
            "model_uri": self.model_uri,
            "config": self.config,
            "endpoint": self.endpoint,
            "state": READY,
        }


def deployment_summaries(deployments: list[Deployment]) -> list[dict[str, Any]]:
    """What a listing shows: each deployment's dict but ``config``, JSON-able and the caller's.

    Leaving ``config`` out (``get_deployment`` gives it) makes each entry one flat copy of the
    summary built with the record. The copies hold no container, so the cyclic GC does not
    track them: the collections their allocations set off find almost nothing young to scan.
    """
    return [deployment._summary.copy() for deployment in deployments]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint: a named group of deployments with its own config."""

    name: str
    config_json: bytes = b"{}"

    @property
    def config(self) -> dict[str, Any]:
        return _load_config(self.config_json, f"endpoint {self.name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The endpoint as callers see it: JSON-able, and theirs to change."""
        return {"name": self.name, "config": self.config}


def deployment_exists(namespace: str, name: str) -> api.MlflowException:
    """The error for a deployment name already in use."""
    return api.MlflowException(
        f"A deployment named {name!r} already exists in memory namespace {namespace!r}. "
        "Choose another name, or change that one with update_deployment().",
        api.RESOURCE_ALREADY_EXISTS,
    )


def endpoint_exists(namespace: str, name: str) -> api.MlflowException:
    """The error for an endpoint name already in use."""
    return api.MlflowException(
        f"An endpoint named {name!r} already exists in memory namespace {namespace!r}. "
        "Choose another name, or change that one with update_endpoint().",
        api.RESOURCE_ALREADY_EXISTS,
    )


def no_deployment(namespace: str, name: str, endpoint: str | None) -> api.MlflowException:
    """The error for a deployment that is not there (under ``endpoint`` when given)."""
    where = f"under endpoint {endpoint!r} " if endpoint is not None else ""
    return api.MlflowException(
        f"No deployment named {name!r} {where}in memory namespace {namespace!r}. "
        "Create it with create_deployment(), or see list_deployments() for the ones there.",
        api.RESOURCE_DOES_NOT_EXIST,
    )


def no_endpoint(namespace: str, name: str) -> api.MlflowException:
    """The error for an endpoint that is not there."""
    return api.MlflowException(
        f"No endpoint named {name!r} in memory namespace {namespace!r}. Create it with "
        "create_endpoint(), or see list_endpoints() for the ones there.",
        api.RESOURCE_DOES_NOT_EXIST,
    )


def endpoint_in_use(namespace: str, name: str, members: list[str]) -> api.MlflowException:
    """The refusal to delete an endpoint that still holds deployments."""
    shown = ", ".join(repr(member) for member in members[:5])
    more = ", …" if len(members) > 5 else ""
    return api.MlflowException(
        f"Endpoint {name!r} in memory namespace {namespace!r} still holds {len(members)} "
        f"deployment(s) ({shown}{more}). Delete its deployments first, then the endpoint.",
        api.INVALID_PARAMETER_VALUE,
    )


class DeploymentStore(Protocol):
    """What the client needs from a store. Every method is atomic.

    Lookups scoped by ``endpoint`` find a deployment only under that endpoint; a missing
    endpoint raises RESOURCE_DOES_NOT_EXIST, except in the idempotent ``remove_*`` methods.
    """

    namespace: str

    def find_deployment(self, name: str) -> Deployment | None: ...

    def get_deployment(self, name: str, endpoint: str | None = None) -> Deployment: ...

    def list_deployments(self, endpoint: str | None = None) -> list[Deployment]: ...

    def add_deployment(self, deployment: Deployment) -> None: ...

    def change_deployment(
        self, name: str, endpoint: str | None, change: Callable[[Deployment], Deployment]
    ) -> Deployment: ...

    def remove_deployment(self, name: str, endpoint: str | None = None) -> bool: ...

    def find_endpoint(self, name: str) -> Endpoint | None: ...

    def get_endpoint(self, name: str) -> Endpoint: ...

    def list_endpoints(self) -> list[Endpoint]: ...

    def add_endpoint(self, endpoint: Endpoint) -> None: ...

    def change_endpoint(self, name: str, change: Callable[[Endpoint], Endpoint]) -> Endpoint: ...

    def remove_endpoint(self, name: str) -> bool: ...

    def clear(self) -> None: ...


class MemoryStore:
    """A :class:`DeploymentStore` in this process's memory, guarded by one re-entrant lock."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._lock = threading.RLock()
        self._deployments: dict[str, Deployment] = {}
        self._endpoints: dict[str, Endpoint] = {}
        # endpoint name -> its deployment names; a dict keeps insertion order and O(1) removal
        self._members: dict[str, dict[str, None]] = {}

    def __repr__(self) -> str:
        return f"MemoryStore({self.namespace!r})"

    # -- errors -------------------------------------------------------------------------------

    def _require_endpoint(self, name: str) -> Endpoint:
        endpoint = self._endpoints.get(name)
        if endpoint is None:
            raise no_endpoint(self.namespace, name)
        return endpoint

    # -- deployments ----------------------------------------------------------------------------

    def find_deployment(self, name: str) -> Deployment | None:
        """The deployment called ``name``, or None."""
        with self._lock:
            return self._deployments.get(name)

    def get_deployment(self, name: str, endpoint: str | None = None) -> Deployment:
        """The deployment called ``name`` (under ``endpoint`` when given); missing raises."""
        with self._lock:
            if endpoint is not None:
                self._require_endpoint(endpoint)
            deployment = self._deployments.get(name)
            if deployment is None or (endpoint is not None and deployment.endpoint != endpoint):
                raise no_deployment(self.namespace, name, endpoint)
            return deployment

    def list_deployments(self, endpoint: str | None = None) -> list[Deployment]:
        """Every deployment in creation order, or only those under ``endpoint``."""
        with self._lock:
            if endpoint is None:
                return list(self._deployments.values())
            self._require_endpoint(endpoint)
            return [self._deployments[name] for name in self._members[endpoint]]

    def add_deployment(self, deployment: Deployment) -> None:
        """Insert ``deployment``; a name in use or a missing endpoint raises."""
        with self._lock:
            if deployment.name in self._deployments:
                raise deployment_exists(self.namespace, deployment.name)
            if deployment.endpoint is not None:
                self._require_endpoint(deployment.endpoint)
                self._members[deployment.endpoint][deployment.name] = None
            self._deployments[deployment.name] = deployment

    def change_deployment(
        self, name: str, endpoint: str | None, change: Callable[[Deployment], Deployment]
    ) -> Deployment:
        """Replace the deployment with ``change(current)``, atomically; missing raises."""
        with self._lock:
            current = self.get_deployment(name, endpoint)
            changed = change(current)
            if (changed.name, changed.endpoint) != (current.name, current.endpoint):
                raise ValueError("a change may not rename a deployment or move it")
            self._deployments[name] = changed
            return changed

    def remove_deployment(self, name: str, endpoint: str | None = None) -> bool:
        """Remove the deployment if it is there (under ``endpoint`` when given)."""
        with self._lock:
            deployment = self._deployments.get(name)
            if deployment is None or (endpoint is not None and deployment.endpoint != endpoint):
                return False
            del self._deployments[name]
            if deployment.endpoint is not None:
                del self._members[deployment.endpoint][name]
            return True

    # -- endpoints ----------------------------------------------------------------------------

    def find_endpoint(self, name: str) -> Endpoint | None:
        """The endpoint called ``name``, or None."""
        with self._lock:
            return self._endpoints.get(name)

    def get_endpoint(self, name: str) -> Endpoint:
        """The endpoint called ``name``; missing raises."""
        with self._lock:
            return self._require_endpoint(name)

    def list_endpoints(self) -> list[Endpoint]:
        """Every endpoint in creation order."""
        with self._lock:
            return list(self._endpoints.values())

    def add_endpoint(self, endpoint: Endpoint) -> None:
        """Insert ``endpoint``; a name in use raises."""
        with self._lock:
            if endpoint.name in self._endpoints:
                raise endpoint_exists(self.namespace, endpoint.name)
            self._endpoints[endpoint.name] = endpoint
            self._members[endpoint.name] = {}

    def change_endpoint(self, name: str, change: Callable[[Endpoint], Endpoint]) -> Endpoint:
        """Replace the endpoint with ``change(current)``, atomically; missing raises."""
        with self._lock:
            changed = change(self._require_endpoint(name))
            if changed.name != name:
                raise ValueError("a change may not rename an endpoint")
            self._endpoints[name] = changed
            return changed

    def remove_endpoint(self, name: str) -> bool:
        """Remove the endpoint if it is there; one that still holds deployments raises."""
        with self._lock:
            if name not in self._endpoints:
                return False
            members = self._members[name]
            if members:
                raise endpoint_in_use(self.namespace, name, list(members))
            del self._endpoints[name]
            del self._members[name]
            return True

    def clear(self) -> None:
        """Forget every deployment and endpoint."""
        with self._lock:
            self._deployments.clear()
            self._endpoints.clear()
            self._members.clear()


_stores: dict[str, MemoryStore] = {}
_stores_lock = threading.Lock()


def get_store(namespace: str, path: str | None = None) -> DeploymentStore:
    """The one store of ``namespace``, created on first use; with ``path``, that file's store.

    A durable store (:mod:`reference_target.sqlite_store`) is opened once per process and
    file; every process that opens the file shares what it holds.
    """
    if path is not None:
        # Imported here: the durable store builds on this module's records and errors.
        from reference_target.sqlite_store import open_sqlite_store

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
        from reference_target.sqlite_store import close_sqlite_store, open_sqlite_store

        open_sqlite_store(path).clear()
        close_sqlite_store(path)
        return
    with _stores_lock:
        store = _stores.pop(namespace, None)
    if store is not None:
        store.clear()
