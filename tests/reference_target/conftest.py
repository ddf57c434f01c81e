"""Fixtures for the memory target's tests: a fresh namespace, and a client on it, per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reference_target import MemoryDeploymentClient
from reference_target.store import drop_store

State = tuple[list[dict[str, Any]], list[dict[str, Any]]]


@pytest.fixture
def namespace() -> Iterator[str]:
    """A namespace no other test uses, emptied afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    drop_store(name)


@pytest.fixture
def client(namespace: str) -> MemoryDeploymentClient:
    return MemoryDeploymentClient(f"memory:/{namespace}")


@pytest.fixture
def state(client: MemoryDeploymentClient) -> Callable[[], State]:
    """Everything the client can see, to compare before and after a refused call.

    A listing holds summaries, so each deployment is read whole, config included.
    """

    def everything() -> State:
        deployments = [client.get_deployment(d["name"]) for d in client.list_deployments()]
        return deployments, client.list_endpoints()

    return everything
