"""Fixtures for the memory target's tests: a fresh store, and a client on it, per test.

``target_uri`` (and so ``client``) is parametrized over both stores: a namespace kept in this
process, and a durable SQLite file. Every test that takes them runs against each, so the two
stores are held to one behaviour.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reference_target import MemoryDeploymentClient
from reference_target.model_cache import clear_model_cache
from reference_target.store import close_sqlite_store, drop_store

State = tuple[list[dict[str, Any]], list[dict[str, Any]]]


@pytest.fixture
def namespace() -> Iterator[str]:
    """An in-process namespace no other test uses, emptied afterwards."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    drop_store(name)


@pytest.fixture(params=["in-process", "sqlite"])
def target_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store no other test uses (a namespace, or a new file), dropped afterwards."""
    if request.param == "in-process":
        name = request.getfixturevalue("namespace")
        yield f"memory:/{name}"
    else:
        path = tmp_path / "store.db"
        yield f"memory://{path}"
        close_sqlite_store(str(path))
        clear_model_cache()


@pytest.fixture
def client(target_uri: str) -> MemoryDeploymentClient:
    return MemoryDeploymentClient(target_uri)


@pytest.fixture
def state(client: MemoryDeploymentClient) -> Callable[[], State]:
    """Everything the client can see, to compare before and after a refused call.

    A listing holds summaries, so each deployment is read whole, config included.
    """

    def everything() -> State:
        deployments = [client.get_deployment(d["name"]) for d in client.list_deployments()]
        return deployments, client.list_endpoints()

    return everything
