"""Endpoints: their five methods, and deployments scoped by endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import conformance.api as api
from reference_target import MemoryDeploymentClient

CONSTANT_URI = "reference:/constant?value=7"
LINEAR_URI = "reference:/linear?weights=1"


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(api.MlflowException) as caught:
        call()
    return caught.value.error_code


def test_endpoint_lifecycle(client: MemoryDeploymentClient) -> None:
    created = client.create_endpoint("endpoint", config={"tier": "gold"})
    assert created == {"name": "endpoint", "config": {"tier": "gold"}}
    assert client.get_endpoint("endpoint") == created
    assert client.list_endpoints() == [created]

    updated = client.update_endpoint("endpoint", config={"size": 2})
    assert updated == {"name": "endpoint", "config": {"tier": "gold", "size": 2}}
    assert client.get_endpoint("endpoint") == updated

    assert client.delete_endpoint("endpoint") is None
    assert client.delete_endpoint("endpoint") is None
    assert client.list_endpoints() == []
    assert error_code(lambda: client.get_endpoint("endpoint")) == api.RESOURCE_DOES_NOT_EXIST


def test_create_endpoint_with_config_none(client: MemoryDeploymentClient) -> None:
    assert client.create_endpoint("endpoint")["config"] == {}


def test_endpoint_conflict_leaves_the_original(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    client.create_endpoint("endpoint", config={"a": 1})
    before = state()
    code = error_code(lambda: client.create_endpoint("endpoint", config={"a": 2}))
    assert code == api.RESOURCE_ALREADY_EXISTS
    assert state() == before


def test_update_of_a_missing_endpoint_raises(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    code = error_code(lambda: client.update_endpoint("missing", config={"a": 1}))
    assert code == api.RESOURCE_DOES_NOT_EXIST
    assert state() == ([], [])


def test_returned_endpoint_dicts_are_copies(client: MemoryDeploymentClient) -> None:
    client.create_endpoint("endpoint", config={"list": [1]})["config"]["list"].append(2)
    client.get_endpoint("endpoint")["config"]["list"].append(3)
    client.list_endpoints()[0]["config"]["list"].append(4)
    assert client.get_endpoint("endpoint")["config"] == {"list": [1]}


def test_deployments_are_scoped_by_endpoint(client: MemoryDeploymentClient) -> None:
    client.create_endpoint("first")
    client.create_endpoint("second")
    client.create_deployment("in-first", CONSTANT_URI, endpoint="first")
    client.create_deployment("in-second", LINEAR_URI, endpoint="second")
    client.create_deployment("nowhere", LINEAR_URI)

    assert [d["name"] for d in client.list_deployments()] == ["in-first", "in-second", "nowhere"]
    assert [d["name"] for d in client.list_deployments(endpoint="first")] == ["in-first"]
    assert [d["name"] for d in client.list_deployments(endpoint="second")] == ["in-second"]
    assert client.get_deployment("in-first", endpoint="first")["endpoint"] == "first"
    assert client.get_deployment("in-first")["endpoint"] == "first"
    code = error_code(lambda: client.get_deployment("in-first", endpoint="second"))
    assert code == api.RESOURCE_DOES_NOT_EXIST
    assert client.predict("in-first", [[1]], endpoint="first")["predictions"].tolist() == [7.0]
    code = error_code(lambda: client.predict("in-first", [[1]], endpoint="second"))
    assert code == api.RESOURCE_DOES_NOT_EXIST

    # A delete scoped to another endpoint does not touch the deployment.
    client.delete_deployment("in-first", endpoint="second")
    assert client.get_deployment("in-first")["name"] == "in-first"
    client.delete_deployment("in-first", endpoint="first")
    assert client.list_deployments(endpoint="first") == []


def test_a_missing_endpoint_raises_where_one_is_needed(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    client.create_deployment("model", CONSTANT_URI)
    before = state()
    missing = api.RESOURCE_DOES_NOT_EXIST
    assert (
        error_code(lambda: client.create_deployment("new", CONSTANT_URI, endpoint="x")) == missing
    )
    assert error_code(lambda: client.list_deployments(endpoint="x")) == missing
    assert error_code(lambda: client.get_deployment("model", endpoint="x")) == missing
    assert error_code(lambda: client.update_deployment("model", endpoint="x")) == missing
    client.delete_deployment("model", endpoint="x")  # idempotent: nothing there to delete
    assert state() == before


def test_an_endpoint_holding_deployments_is_not_deleted(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    client.create_endpoint("endpoint")
    client.create_deployment("model", CONSTANT_URI, endpoint="endpoint")
    before = state()
    with pytest.raises(api.MlflowException, match="Delete its deployments first") as caught:
        client.delete_endpoint("endpoint")
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    assert state() == before

    client.delete_deployment("model")
    client.delete_endpoint("endpoint")
    assert state() == ([], [])


def test_update_through_an_endpoint_keeps_the_deployment_in_it(
    client: MemoryDeploymentClient,
) -> None:
    client.create_endpoint("endpoint")
    client.create_deployment("model", CONSTANT_URI, endpoint="endpoint")
    updated = client.update_deployment("model", LINEAR_URI, endpoint="endpoint")
    assert updated["endpoint"] == "endpoint"
    assert [d["name"] for d in client.list_deployments(endpoint="endpoint")] == ["model"]
