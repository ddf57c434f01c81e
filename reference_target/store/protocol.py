"""What the client needs from a store, with each method's contract written once, here.

Every method is atomic: each runs under one lock (or one SQLite transaction), so readers never
see half a change. Rules about what a change may do (names unique per store, an endpoint must
exist to hold deployments, an endpoint that holds deployments is never deleted) are kept by
the store, because only there can they be checked atomically. Lookups scoped by ``endpoint``
find a deployment only under that endpoint; a missing endpoint raises RESOURCE_DOES_NOT_EXIST,
except in the idempotent ``remove_*`` methods.

The stores subclass :class:`DeploymentStore`, so ``help()`` shows these docstrings on their
methods too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from reference_target.store.records import Deployment, Endpoint

__all__ = ["DeploymentStore"]


class DeploymentStore(Protocol):
    """One namespace's deployments and endpoints."""

    namespace: str

    # -- deployments ----------------------------------------------------------------------------

    def find_deployment(self, name: str) -> Deployment | None:
        """The deployment called ``name``, or None."""
        ...

    def get_deployment(self, name: str, endpoint: str | None = None) -> Deployment:
        """The deployment called ``name`` (under ``endpoint`` when given); missing raises."""
        ...

    def list_deployments(self, endpoint: str | None = None) -> list[Deployment]:
        """Every deployment in creation order, or only those under ``endpoint``."""
        ...

    def add_deployment(self, deployment: Deployment) -> None:
        """Insert ``deployment``; a name in use or a missing endpoint raises."""
        ...

    def change_deployment(
        self, name: str, endpoint: str | None, change: Callable[[Deployment], Deployment]
    ) -> Deployment:
        """Replace the deployment with ``change(current)``, atomically; missing raises.

        ``change`` may not rename the deployment or move it to another endpoint.
        """
        ...

    def remove_deployment(self, name: str, endpoint: str | None = None) -> bool:
        """Remove the deployment if it is there (under ``endpoint`` when given).

        Returns whether one was removed; its model is no longer kept for it.
        """
        ...

    # -- endpoints ------------------------------------------------------------------------------

    def find_endpoint(self, name: str) -> Endpoint | None:
        """The endpoint called ``name``, or None."""
        ...

    def get_endpoint(self, name: str) -> Endpoint:
        """The endpoint called ``name``; missing raises."""
        ...

    def list_endpoints(self) -> list[Endpoint]:
        """Every endpoint in creation order."""
        ...

    def add_endpoint(self, endpoint: Endpoint) -> None:
        """Insert ``endpoint``; a name in use raises."""
        ...

    def change_endpoint(self, name: str, change: Callable[[Endpoint], Endpoint]) -> Endpoint:
        """Replace the endpoint with ``change(current)``, atomically; missing raises.

        ``change`` may not rename the endpoint.
        """
        ...

    def remove_endpoint(self, name: str) -> bool:
        """Remove the endpoint if it is there; one that still holds deployments raises."""
        ...

    def clear(self) -> None:
        """Forget every deployment and endpoint."""
        ...
