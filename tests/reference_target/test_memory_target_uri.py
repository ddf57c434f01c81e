"""Target URIs: namespaces shared like a server's, the latency option, and malformed URIs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

import conformance.api as api
from reference_target import MemoryDeploymentClient
from reference_target.store import drop_store
from reference_target.uri import DEFAULT_NAMESPACE, TargetSettings, parse_target_uri

CONSTANT_URI = "reference:/constant?value=7"
LATENCY = 0.05


@pytest.mark.parametrize(
    ("target_uri", "expected"),
    [
        ("memory", TargetSettings(DEFAULT_NAMESPACE, 0.0)),
        ("memory:/", TargetSettings(DEFAULT_NAMESPACE, 0.0)),
        ("memory:/team-a", TargetSettings("team-a", 0.0)),
        ("memory:/team-a/", TargetSettings("team-a", 0.0)),
        ("memory:team-a", TargetSettings("team-a", 0.0)),
        ("memory:/team%20a", TargetSettings("team a", 0.0)),
        ("memory:/slow?latency=1", TargetSettings("slow", 1.0)),
        ("memory:/slow?latency=0.25", TargetSettings("slow", 0.25)),
        ("memory?latency=0", TargetSettings(DEFAULT_NAMESPACE, 0.0)),
        ("memory:/?latency=2", TargetSettings(DEFAULT_NAMESPACE, 2.0)),
    ],
)
def test_good_target_uris(target_uri: str, expected: TargetSettings) -> None:
    assert parse_target_uri(target_uri) == expected


@pytest.mark.parametrize(
    ("target_uri", "hint"),
    [
        ("memory:/ns?latency=-1", "from 0 to 3600"),
        ("memory:/ns?latency=soon", "number of seconds"),
        ("memory:/ns?latency=nan", "number of seconds"),
        ("memory:/ns?latency=inf", "number of seconds"),
        ("memory:/ns?latency=", "number of seconds"),
        ("memory:/ns?latency=1&latency=2", "more than once"),
        ("memory:/ns?speed=1", "unknown option 'speed'"),
        ("memory:/ns?latency", "key=value"),
        ("memory://host/ns", "':/'"),
        ("memory:/ns#part", "fragment"),
        ("disk:/ns", "scheme is 'disk'"),
        ("memoryx", "does not start"),
        ("", "does not start"),
        ("memory:/bad%0Aname", "control character"),
    ],
)
def test_bad_target_uris_say_what_to_write(target_uri: str, hint: str) -> None:
    with pytest.raises(api.MlflowException, match=hint) as caught:
        MemoryDeploymentClient(target_uri)
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    if "control" not in hint:
        assert "memory:/<namespace>" in caught.value.message


def test_a_non_string_uri_is_refused() -> None:
    with pytest.raises(api.MlflowException) as caught:
        parse_target_uri(None)
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


def test_clients_of_one_namespace_share_a_store(namespace: str) -> None:
    first = MemoryDeploymentClient(f"memory:/{namespace}")
    second = MemoryDeploymentClient(f"memory:/{namespace}")
    slow = MemoryDeploymentClient(f"memory:/{namespace}?latency=0")
    first.create_deployment("shared", CONSTANT_URI)
    assert second.get_deployment("shared")["name"] == "shared"
    assert slow.predict("shared", [[1]])["predictions"].tolist() == [7.0]
    second.delete_deployment("shared")
    assert first.list_deployments() == []


def test_namespaces_are_separate(namespace: str) -> None:
    other = f"{namespace}-other"
    here = MemoryDeploymentClient(f"memory:/{namespace}")
    there = MemoryDeploymentClient(f"memory:/{other}")
    try:
        here.create_deployment("model", CONSTANT_URI)
        here.create_endpoint("endpoint")
        assert there.list_deployments() == []
        assert there.list_endpoints() == []
        there.create_deployment("model", "reference:/constant?value=8")
        assert here.predict("model", [[0]])["predictions"].tolist() == [7.0]
        assert there.predict("model", [[0]])["predictions"].tolist() == [8.0]
    finally:
        drop_store(other)


def test_the_default_namespace_is_shared_by_plain_memory() -> None:
    try:
        MemoryDeploymentClient("memory").create_deployment("in-default", CONSTANT_URI)
        assert MemoryDeploymentClient(f"memory:/{DEFAULT_NAMESPACE}").get_deployment("in-default")
    finally:
        drop_store(DEFAULT_NAMESPACE)


def test_dropping_a_namespace_empties_it_for_every_client(namespace: str) -> None:
    client = MemoryDeploymentClient(f"memory:/{namespace}")
    client.create_deployment("model", CONSTANT_URI)
    drop_store(namespace)
    assert client.list_deployments() == []
    assert MemoryDeploymentClient(f"memory:/{namespace}").list_deployments() == []


# -- latency ---------------------------------------------------------------------------------------


@pytest.fixture
def slow(namespace: str) -> Iterator[MemoryDeploymentClient]:
    yield MemoryDeploymentClient(f"memory:/{namespace}?latency={LATENCY}")


def took_at_least(seconds: float, call: Callable[[], object]) -> bool:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started >= seconds


def test_changes_wait_for_the_latency(slow: MemoryDeploymentClient) -> None:
    assert took_at_least(LATENCY, lambda: slow.create_deployment("model", CONSTANT_URI))
    assert took_at_least(LATENCY, lambda: slow.update_deployment("model", config={"a": 1}))
    assert took_at_least(LATENCY, lambda: slow.delete_deployment("model"))
    assert took_at_least(LATENCY, lambda: slow.create_endpoint("endpoint"))
    assert took_at_least(LATENCY, lambda: slow.update_endpoint("endpoint", {"a": 1}))
    assert took_at_least(LATENCY, lambda: slow.delete_endpoint("endpoint"))


def test_a_slow_change_completes_only_when_it_returns(namespace: str) -> None:
    slow = MemoryDeploymentClient(f"memory:/{namespace}?latency={LATENCY}")
    fast = MemoryDeploymentClient(f"memory:/{namespace}")
    fast.create_deployment("ready", CONSTANT_URI)
    creating = threading.Thread(target=slow.create_deployment, args=("new", CONSTANT_URI))
    creating.start()
    # While the create waits, the store still answers other clients.
    assert fast.predict("ready", [[1]])["predictions"].tolist() == [7.0]
    creating.join()
    assert [d["name"] for d in fast.list_deployments()] == ["ready", "new"]


def test_a_slow_target_refuses_the_same_way(slow: MemoryDeploymentClient) -> None:
    slow.create_deployment("model", CONSTANT_URI)
    with pytest.raises(api.MlflowException) as caught:
        slow.create_deployment("model", CONSTANT_URI)
    assert caught.value.error_code == api.RESOURCE_ALREADY_EXISTS
    with pytest.raises(api.MlflowException) as caught:
        slow.create_deployment("", CONSTANT_URI)
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
