"""Bad names, configs, flavors and model URIs are refused before anything changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

import conformance.api as api
from reference_target import MemoryDeploymentClient, target_help
from reference_target.names import MAX_NAME_LENGTH, validate_name

CONSTANT_URI = "reference:/constant?value=7"

BAD_NAMES: list[Any] = [
    None,
    3,
    b"bytes",
    ["list"],
    "",
    "x" * (MAX_NAME_LENGTH + 1),
    "line\nbreak",
    "nul\x00",
    "tab\there",
    "del\x7f",
    "c1\x85control",
    "lone\ud800surrogate",
]
GOOD_NAMES = [
    "../x",
    "../../etc/passwd",
    "a/b\\c",
    " ",
    "  spaced  out  ",
    "日本語の名前",
    "emoji 🙂",
    "x" * MAX_NAME_LENGTH,
    "'; DROP TABLE deployments; --",
    "%2e%2e%2f",
    "zero\u200bwidth",
    "CON",
]
BAD_CONFIGS: list[Any] = [
    [],
    "stream_chunk_size=1",
    1,
    {1: "int key"},
    {"nested": {2: "int key"}},
    {"value": object()},
    {"stream_chunk_size": 0},
    {"stream_chunk_size": "many"},
    {"stream_chunk_size": True},
]
BAD_FLAVORS: list[Any] = ["sklearn", "", "PYTHON_FUNCTION", 1, ["python_function"]]
BAD_MODEL_URIS: list[Any] = ["", "   ", 1, b"reference:/echo"]


@pytest.fixture
def populated(client: MemoryDeploymentClient) -> MemoryDeploymentClient:
    """A namespace holding an endpoint with one deployment, and one deployment outside it."""
    client.create_endpoint("endpoint", config={"tier": "gold"})
    client.create_deployment("inside", CONSTANT_URI, config={"k": "v"}, endpoint="endpoint")
    client.create_deployment("outside", "reference:/linear?weights=1")
    return client


def assert_refused(call: Callable[[], Any], state: Callable[[], Any]) -> api.MlflowException:
    before = state()
    with pytest.raises(api.MlflowException) as caught:
        call()
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    assert state() == before
    return caught.value


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_deployment_names_are_refused_everywhere(
    populated: MemoryDeploymentClient, state: Callable[[], Any], name: Any
) -> None:
    client = populated
    assert_refused(lambda: client.create_deployment(name, CONSTANT_URI), state)
    assert_refused(lambda: client.update_deployment(name, CONSTANT_URI), state)
    assert_refused(lambda: client.delete_deployment(name), state)
    assert_refused(lambda: client.get_deployment(name), state)
    assert_refused(lambda: client.predict(name, [[1]]), state)


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_endpoint_names_are_refused_everywhere(
    populated: MemoryDeploymentClient, state: Callable[[], Any], name: Any
) -> None:
    client = populated
    assert_refused(lambda: client.create_endpoint(name), state)
    assert_refused(lambda: client.update_endpoint(name, {"a": 1}), state)
    assert_refused(lambda: client.delete_endpoint(name), state)
    assert_refused(lambda: client.get_endpoint(name), state)
    if name is not None:  # endpoint=None means no endpoint where an endpoint is optional
        assert_refused(lambda: client.create_deployment("new", CONSTANT_URI, endpoint=name), state)
        assert_refused(lambda: client.list_deployments(endpoint=name), state)


def test_refusals_say_what_to_do() -> None:
    for name, hint in [("", "1 to 256"), ("a\nb", "control character"), (3, "must be a str")]:
        with pytest.raises(api.MlflowException, match=hint):
            validate_name(name)


@pytest.mark.parametrize("name", GOOD_NAMES, ids=repr)
def test_any_other_name_round_trips_exactly(client: MemoryDeploymentClient, name: str) -> None:
    created = client.create_deployment(name, CONSTANT_URI)
    assert created["name"] == name
    assert client.get_deployment(name)["name"] == name
    assert [d["name"] for d in client.list_deployments()] == [name]
    assert client.predict(name, [[1]])["predictions"].tolist() == [7.0]
    client.delete_deployment(name)
    assert client.list_deployments() == []

    assert client.create_endpoint(name)["name"] == name
    assert client.get_endpoint(name)["name"] == name
    client.delete_endpoint(name)
    assert client.list_endpoints() == []


def test_names_are_not_normalised(client: MemoryDeploymentClient) -> None:
    # Names that would collide after case folding, stripping or Unicode normalisation are distinct.
    names = ["Name", "name", " name", "name ", "e\u0301", "\u00e9"]
    for index, name in enumerate(names):
        client.create_deployment(name, f"reference:/constant?value={index}")
    for index, name in enumerate(names):
        assert client.predict(name, [[0]])["predictions"].tolist() == [float(index)]


def _config_id(config: object) -> str:
    # Stable across processes (pytest-xdist compares ids): no memory addresses.
    return re.sub(r" at 0x[0-9a-f]+", "", repr(config))


@pytest.mark.parametrize("config", BAD_CONFIGS, ids=_config_id)
def test_bad_configs_are_refused(
    populated: MemoryDeploymentClient, state: Callable[[], Any], config: Any
) -> None:
    client = populated
    assert_refused(lambda: client.create_deployment("new", CONSTANT_URI, config=config), state)
    assert_refused(lambda: client.update_deployment("outside", config=config), state)
    assert_refused(lambda: client.delete_deployment("outside", config=config), state)
    assert_refused(lambda: client.create_endpoint("new", config=config), state)
    assert_refused(lambda: client.update_endpoint("endpoint", config=config), state)


@pytest.mark.parametrize("flavor", BAD_FLAVORS, ids=repr)
def test_unsupported_flavors_are_refused_naming_the_supported_one(
    populated: MemoryDeploymentClient, state: Callable[[], Any], flavor: Any
) -> None:
    client = populated
    error = assert_refused(lambda: client.create_deployment("new", CONSTANT_URI, flavor), state)
    assert "python_function" in error.message
    assert_refused(lambda: client.update_deployment("outside", CONSTANT_URI, flavor), state)


def test_the_default_flavor_is_python_function(client: MemoryDeploymentClient) -> None:
    assert client.create_deployment("none", CONSTANT_URI)["flavor"] == "python_function"
    explicit = client.create_deployment("explicit", CONSTANT_URI, "python_function")
    assert explicit["flavor"] == "python_function"


@pytest.mark.parametrize("model_uri", BAD_MODEL_URIS, ids=repr)
def test_bad_model_uris_are_refused(
    populated: MemoryDeploymentClient, state: Callable[[], Any], model_uri: Any
) -> None:
    client = populated
    assert_refused(lambda: client.create_deployment("new", model_uri), state)
    assert_refused(lambda: client.update_deployment("outside", model_uri), state)


def test_validation_comes_before_lookup(populated: MemoryDeploymentClient) -> None:
    # A bad argument to a missing deployment is still a bad argument, not a missing deployment.
    with pytest.raises(api.MlflowException) as caught:
        populated.update_deployment("missing", config=[])
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


def test_the_help_documents_the_name_policy() -> None:
    text = target_help()
    assert str(MAX_NAME_LENGTH) in text
    assert "control characters" in text
    assert "never used as file paths" in text
