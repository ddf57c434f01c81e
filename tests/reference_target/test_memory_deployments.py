"""The deployment lifecycle: create, get, list, update, delete, and what each leaves behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import conformance.api as api
from reference_target import MemoryDeploymentClient

CONSTANT_URI = "reference:/constant?value=7"
LINEAR_URI = "reference:/linear?weights=1,2&bias=0.5"
OTHER_LINEAR_URI = "reference:/linear?weights=10,20"
ROWS = [[1.0, 2.0], [3.0, 4.0]]


def predictions(client: MemoryDeploymentClient, name: str, rows: Any = ROWS) -> list[Any]:
    result = client.predict(name, rows)["predictions"]
    return result.tolist() if hasattr(result, "tolist") else result


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(api.MlflowException) as caught:
        call()
    return caught.value.error_code


def test_create_returns_a_json_able_ready_deployment(client: MemoryDeploymentClient) -> None:
    created = client.create_deployment("model", LINEAR_URI, config={"owner": "me"})
    assert created == {
        "name": "model",
        "flavor": "python_function",
        "model_uri": LINEAR_URI,
        "config": {"owner": "me"},
        "endpoint": None,
        "state": "ready",
    }
    assert json.loads(json.dumps(created)) == created
    assert client.get_deployment("model") == created
    assert client.list_deployments() == [{k: v for k, v in created.items() if k != "config"}]


def test_a_listing_holds_summaries_and_get_the_whole_deployment(
    client: MemoryDeploymentClient,
) -> None:
    client.create_endpoint("endpoint")
    client.create_deployment("model", LINEAR_URI, config={"owner": "me"}, endpoint="endpoint")
    summary = {
        "name": "model",
        "flavor": "python_function",
        "model_uri": LINEAR_URI,
        "endpoint": "endpoint",
        "state": "ready",
    }
    for listed in (client.list_deployments(), client.list_deployments(endpoint="endpoint")):
        assert listed == [summary]
        assert list(listed[0]) == ["name", "flavor", "model_uri", "endpoint", "state"]
        assert json.loads(json.dumps(listed)) == listed
    assert client.get_deployment("model") == {**summary, "config": {"owner": "me"}}
    client.update_deployment("model", OTHER_LINEAR_URI, config={"more": 1})
    assert client.list_deployments() == [{**summary, "model_uri": OTHER_LINEAR_URI}]
    assert client.get_deployment("model")["config"] == {"owner": "me", "more": 1}


def test_create_blocks_until_predict_works(client: MemoryDeploymentClient) -> None:
    client.create_deployment("model", LINEAR_URI)
    assert predictions(client, "model") == [1 * 1 + 2 * 2 + 0.5, 1 * 3 + 2 * 4 + 0.5]


def test_create_with_config_none_works(client: MemoryDeploymentClient) -> None:
    assert client.create_deployment("model", CONSTANT_URI, None, None)["config"] == {}


def test_a_conflict_raises_and_leaves_the_original_serving(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    client.create_deployment("model", LINEAR_URI, config={"a": 1})
    before = state()
    served_before = predictions(client, "model")
    code = error_code(lambda: client.create_deployment("model", CONSTANT_URI, config={"a": 2}))
    assert code == api.RESOURCE_ALREADY_EXISTS
    assert state() == before
    assert predictions(client, "model") == served_before


@pytest.mark.parametrize(
    "model_uri",
    [
        "reference:/nosuchmodel",
        "reference:/linear",
        "reference:/linear?weights=1,x",
        "reference:/constant",
        "reference:/constant?value=1&extra=2",
        "nosuchscheme://x",
        "/no/such/model/directory",
    ],
)
def test_a_bad_model_leaves_nothing_behind(
    client: MemoryDeploymentClient, state: Callable[[], Any], model_uri: str
) -> None:
    client.create_deployment("existing", CONSTANT_URI)
    before = state()
    with pytest.raises(api.MlflowException):
        client.create_deployment("new", model_uri)
    assert state() == before
    assert error_code(lambda: client.get_deployment("new")) == api.RESOURCE_DOES_NOT_EXIST


def test_get_of_a_missing_deployment_raises(client: MemoryDeploymentClient) -> None:
    assert error_code(lambda: client.get_deployment("missing")) == api.RESOURCE_DOES_NOT_EXIST


def test_list_keeps_creation_order(client: MemoryDeploymentClient) -> None:
    for name in ["b", "a", "c"]:
        client.create_deployment(name, CONSTANT_URI)
    assert [deployment["name"] for deployment in client.list_deployments()] == ["b", "a", "c"]


def test_update_switches_the_model_when_it_returns(client: MemoryDeploymentClient) -> None:
    client.create_deployment("model", LINEAR_URI, config={"keep": True})
    updated = client.update_deployment("model", OTHER_LINEAR_URI)
    assert updated["name"] == "model"
    assert updated["flavor"] == "python_function"
    assert updated["model_uri"] == OTHER_LINEAR_URI
    assert updated["config"] == {"keep": True}
    assert predictions(client, "model") == [10 * 1 + 20 * 2, 10 * 3 + 20 * 4]
    assert client.get_deployment("model") == updated


def test_update_of_config_merges_and_keeps_the_model(client: MemoryDeploymentClient) -> None:
    client.create_deployment("model", LINEAR_URI, config={"a": 1, "b": 2})
    served_before = predictions(client, "model")
    updated = client.update_deployment("model", config={"b": 3, "c": 4})
    assert updated["config"] == {"a": 1, "b": 3, "c": 4}
    assert updated["model_uri"] == LINEAR_URI
    assert predictions(client, "model") == served_before


def test_update_with_flavor_but_no_model_is_refused(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    client.create_deployment("model", LINEAR_URI)
    before = state()
    code = error_code(lambda: client.update_deployment("model", flavor="python_function"))
    assert code == api.INVALID_PARAMETER_VALUE
    assert state() == before


def test_update_of_a_missing_deployment_raises(
    client: MemoryDeploymentClient, state: Callable[[], Any]
) -> None:
    before = state()
    code = error_code(lambda: client.update_deployment("missing", CONSTANT_URI))
    assert code == api.RESOURCE_DOES_NOT_EXIST
    assert state() == before


@pytest.mark.parametrize("model_uri", ["reference:/nosuchmodel", "nosuchscheme://x"])
def test_an_update_to_a_bad_model_changes_nothing(
    client: MemoryDeploymentClient, state: Callable[[], Any], model_uri: str
) -> None:
    client.create_deployment("model", LINEAR_URI)
    before = state()
    served_before = predictions(client, "model")
    with pytest.raises(api.MlflowException):
        client.update_deployment("model", model_uri, config={"would": "merge"})
    assert state() == before
    assert predictions(client, "model") == served_before


def test_delete_removes_only_its_deployment_and_is_idempotent(
    client: MemoryDeploymentClient,
) -> None:
    client.create_deployment("gone", CONSTANT_URI)
    client.create_deployment("kept", LINEAR_URI)
    assert client.delete_deployment("gone") is None
    assert client.delete_deployment("gone") is None
    assert client.delete_deployment("never-existed") is None
    assert [d["name"] for d in client.list_deployments()] == ["kept"]
    assert error_code(lambda: client.get_deployment("gone")) == api.RESOURCE_DOES_NOT_EXIST
    assert error_code(lambda: client.predict("gone", ROWS)) == api.RESOURCE_DOES_NOT_EXIST


def test_a_deleted_name_can_be_created_again(client: MemoryDeploymentClient) -> None:
    client.create_deployment("model", LINEAR_URI)
    client.delete_deployment("model")
    client.create_deployment("model", CONSTANT_URI)
    assert predictions(client, "model") == [7.0, 7.0]


def test_returned_dicts_are_copies(client: MemoryDeploymentClient) -> None:
    config = {"nested": {"list": [1, 2]}, "flag": True}
    created = client.create_deployment("model", CONSTANT_URI, config=config)
    config["nested"]["list"].append("from the caller's own dict")
    created["config"]["nested"]["list"].append("from create's result")
    created["name"] = "renamed"
    fetched = client.get_deployment("model")
    fetched["config"]["flag"] = False
    listed = client.list_deployments()[0]
    listed["model_uri"] = "changed by the caller"
    listed["state"] = "changed by the caller"
    listed["config"] = {"added": "by the caller"}
    client.update_deployment("model", config={"more": 1})["config"]["nested"]["list"].clear()

    assert client.get_deployment("model")["config"] == {
        "nested": {"list": [1, 2]},
        "flag": True,
        "more": 1,
    }
    assert client.get_deployment("model")["name"] == "model"
    assert client.list_deployments() == [
        {
            "name": "model",
            "flavor": "python_function",
            "model_uri": CONSTANT_URI,
            "endpoint": None,
            "state": "ready",
        }
    ]


def test_predict_without_a_deployment_name_is_refused(client: MemoryDeploymentClient) -> None:
    assert error_code(lambda: client.predict(inputs=ROWS)) == api.INVALID_PARAMETER_VALUE


def test_names_are_unique_across_endpoints(client: MemoryDeploymentClient) -> None:
    client.create_endpoint("first")
    client.create_endpoint("second")
    client.create_deployment("model", CONSTANT_URI, endpoint="first")
    code = error_code(lambda: client.create_deployment("model", LINEAR_URI, endpoint="second"))
    assert code == api.RESOURCE_ALREADY_EXISTS
    code = error_code(lambda: client.create_deployment("model", LINEAR_URI))
    assert code == api.RESOURCE_ALREADY_EXISTS
