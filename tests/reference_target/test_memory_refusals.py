"""Inputs that used to give silently wrong answers, or raw errors, are refused cleanly."""

from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import conformance.api as api
from reference_target import MemoryDeploymentClient
from reference_target.models import MAX_LINEAR_WEIGHTS, load_model
from reference_target.names import MAX_MODEL_URI_LENGTH
from reference_target.uri import MAX_LATENCY_SECONDS

State = Callable[[], Any]


def refused(call: Callable[[], Any], code: api.ErrorCode = api.INVALID_PARAMETER_VALUE) -> str:
    with pytest.raises(api.MlflowException) as caught:
        call()
    assert caught.value.error_code == code
    return caught.value.message


@pytest.mark.parametrize("index", [[0, 1, 2], [], "abc", 5])
def test_a_split_index_must_have_one_label_per_row(
    client: MemoryDeploymentClient, index: Any
) -> None:
    client.create_deployment("lin", "reference:/linear?weights=1,2")
    split = {"columns": ["x", "y"], "data": [[1.0, 2.0]], "index": index}
    message = refused(lambda: client.predict("lin", {"dataframe_split": split}))
    assert "one label per row" in message


def test_a_split_with_a_matching_index_keeps_it(client: MemoryDeploymentClient) -> None:
    client.create_deployment("echo", "reference:/echo")
    split = {"columns": ["x"], "data": [[1], [2]], "index": ["a", "b"]}
    assert client.predict("echo", {"dataframe_split": split})["predictions"] == [
        {"x": 1},
        {"x": 2},
    ]


@pytest.mark.parametrize(
    "config",
    [
        {"x": math.nan},
        {"x": math.inf},
        {"nested": {"deeper": [1.0, -math.inf]}},
    ],
)
def test_configs_with_nan_or_infinity_are_refused_not_changed(
    client: MemoryDeploymentClient, state: State, config: dict[str, Any]
) -> None:
    client.create_deployment("kept", "reference:/echo", config={"x": 1})
    client.create_endpoint("web")
    before = state()
    for call in (
        lambda: client.create_deployment("new", "reference:/echo", config=config),
        lambda: client.update_deployment("kept", config=config),
        lambda: client.create_endpoint("other", config=config),
        lambda: client.update_endpoint("web", config=config),
    ):
        assert "not a finite number" in refused(call)
    assert state() == before


@pytest.mark.parametrize(
    "columns",
    [["a", "a"], [1, True], [1, "1"], [0, 0.0]],
    ids=["twice", "1-True", "1-'1'", "0-0.0"],
)
def test_the_echo_model_refuses_columns_records_cannot_keep_apart(
    client: MemoryDeploymentClient, columns: list[Any]
) -> None:
    client.create_deployment("echo", "reference:/echo")
    frame = pd.DataFrame([[1, 2]], columns=columns)
    message = refused(lambda: client.predict("echo", frame))
    assert "column labels" in message


@pytest.mark.parametrize("columns", [["a", "b"], [0, 1]])
def test_the_echo_model_keeps_distinct_columns_of_one_kind(
    client: MemoryDeploymentClient, columns: list[Any]
) -> None:
    client.create_deployment("echo", "reference:/echo")
    frame = pd.DataFrame([[1, 2]], columns=columns)
    assert client.predict("echo", frame)["predictions"] == [dict(zip(columns, [1, 2], strict=True))]


def test_echo_output_too_deep_to_write_raises_mlflow_exception(
    client: MemoryDeploymentClient,
) -> None:
    client.create_deployment("echo", "reference:/echo")
    deep: Any = 1
    for _ in range(50_000):
        deep = [deep]
    response = client.predict("echo", {"a": [deep]})
    assert "nested too deep" in refused(response.to_json)


@pytest.mark.parametrize("latency", ["1e308", "3601", "inf", "-1"])
def test_a_latency_beyond_the_limit_is_refused_when_the_client_is_built(latency: str) -> None:
    message = refused(lambda: MemoryDeploymentClient(f"memory:/x?latency={latency}"))
    assert f"0 to {MAX_LATENCY_SECONDS:g}" in message


def test_the_longest_latency_is_accepted() -> None:
    assert MemoryDeploymentClient(f"memory:/x?latency={MAX_LATENCY_SECONDS:g}").latency == 3600


def test_linear_models_take_a_bounded_number_of_weights(client: MemoryDeploymentClient) -> None:
    weights = ",".join(["1"] * MAX_LINEAR_WEIGHTS)
    assert client.create_deployment("widest", f"reference:/linear?weights={weights}")
    message = refused(
        lambda: client.create_deployment("wider", f"reference:/linear?weights={weights},1")
    )
    assert f"at most {MAX_LINEAR_WEIGHTS} weights" in message


def test_model_uris_have_a_bounded_length(client: MemoryDeploymentClient, state: State) -> None:
    before = state()
    uri = "reference:/constant?value=" + "9" * MAX_MODEL_URI_LENGTH
    message = refused(lambda: client.create_deployment("long", uri))
    assert f"at most {MAX_MODEL_URI_LENGTH} characters" in message
    assert state() == before


def test_a_deleted_deployment_releases_its_model(client: MemoryDeploymentClient) -> None:
    uri = "reference:/linear?weights=" + ",".join(["0.5"] * 1000)
    client.create_deployment("big", uri)
    model = weakref.ref(load_model(uri))
    client.delete_deployment("big")
    gc.collect()
    assert model() is None


def test_one_model_serves_every_deployment_of_a_uri(client: MemoryDeploymentClient) -> None:
    client.create_deployment("one", "reference:/linear?weights=3")
    assert load_model("reference:/linear?weights=3") is load_model("reference:/linear?weights=3")
