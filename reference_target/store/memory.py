"""The in-process store: one namespace's records in dicts, under one lock."""

from __future__ import annotations

import threading
from collections.abc import Callable

from reference_target.store.errors import (
    deployment_exists,
    endpoint_exists,
    endpoint_in_use,
    no_deployment,
    no_endpoint,
)
from reference_target.store.protocol import DeploymentStore
from reference_target.store.records import Deployment, Endpoint

__all__ = ["MemoryStore"]


class MemoryStore(DeploymentStore):
    """A store in this process's memory, guarded by one re-entrant lock."""

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
        with self._lock:
            return self._deployments.get(name)

    def get_deployment(self, name: str, endpoint: str | None = None) -> Deployment:
        with self._lock:
            if endpoint is not None:
                self._require_endpoint(endpoint)
            deployment = self._deployments.get(name)
            if deployment is None or (endpoint is not None and deployment.endpoint != endpoint):
                raise no_deployment(self.namespace, name, endpoint)
            return deployment

    def list_deployments(self, endpoint: str | None = None) -> list[Deployment]:
        with self._lock:
            if endpoint is None:
                return list(self._deployments.values())
            self._require_endpoint(endpoint)
            return [self._deployments[name] for name in self._members[endpoint]]

    def add_deployment(self, deployment: Deployment) -> None:
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
        with self._lock:
            current = self.get_deployment(name, endpoint)
            changed = change(current)
            if (changed.name, changed.endpoint) != (current.name, current.endpoint):
                raise ValueError("a change may not rename a deployment or move it")
            self._deployments[name] = changed
            return changed

    def remove_deployment(self, name: str, endpoint: str | None = None) -> bool:
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
        with self._lock:
            return self._endpoints.get(name)

    def get_endpoint(self, name: str) -> Endpoint:
        with self._lock:
            return self._require_endpoint(name)

    def list_endpoints(self) -> list[Endpoint]:
        with self._lock:
            return list(self._endpoints.values())

    def add_endpoint(self, endpoint: Endpoint) -> None:
        with self._lock:
            if endpoint.name in self._endpoints:
                raise endpoint_exists(self.namespace, endpoint.name)
            self._endpoints[endpoint.name] = endpoint
            self._members[endpoint.name] = {}

    def change_endpoint(self, name: str, change: Callable[[Endpoint], Endpoint]) -> Endpoint:
        with self._lock:
            changed = change(self._require_endpoint(name))
            if changed.name != name:
                raise ValueError("a change may not rename an endpoint")
            self._endpoints[name] = changed
            return changed

    def remove_endpoint(self, name: str) -> bool:
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
        with self._lock:
            self._deployments.clear()
            self._endpoints.clear()
            self._members.clear()
