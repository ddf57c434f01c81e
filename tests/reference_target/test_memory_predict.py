"""predict, explain and predict_stream: every input shape, exact results, inputs left alone."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import conformance.api as api
from reference_target import MemoryDeploymentClient

# Two numeric columns x, y with rows (1, 2) and (3, 4): x + 2y + 0.5.
TWO_ROWS_EXPECTED = [5.5, 11.5]
# One numeric column with rows 1 and 2: 3v + 1.
ONE_COLUMN_EXPECTED = [4.0, 7.0]


@pytest.fixture
def scoring(client: MemoryDeploymentClient) -> MemoryDeploymentClient:
    client.create_deployment("two", "reference:/linear?weights=1,2&bias=0.5")
    client.create_deployment("one", "reference:/linear?weights=3&bias=1")
    client.create_deployment("constant", "reference:/constant?value=7")
    client.create_deployment("word", "reference:/constant?value=hello")
    client.create_deployment("echo", "reference:/echo")
    return client


def two_column_inputs() -> dict[str, Any]:
    return {
        "DataFrame": pd.DataFrame({"x": [1.0, 3.0], "y": [2.0, 4.0]}),
        "int DataFrame": pd.DataFrame({"x": [1, 3], "y": [2, 4]}),
        "nullable DataFrame": pd.DataFrame({"x": [1, 3], "y": [2, 4]}, dtype="Int64"),
        "DataFrame with a text column": pd.DataFrame(
            {"id": ["a", "b"], "x": [1.0, 3.0], "y": [2.0, 4.0]}
        ),
        "2-D ndarray": np.array([[1.0, 2.0], [3.0, 4.0]]),
        "Fortran-ordered ndarray": np.asfortranarray([[1.0, 2.0], [3.0, 4.0]]),
        "list of rows": [[1, 2], [3, 4]],
        "tuple of tuples": ((1, 2), (3, 4)),
        "list of ndarray rows": [np.array([1.0, 2.0]), np.array([3.0, 4.0])],
        "list of dicts": [{"x": 1, "y": 2}, {"x": 3, "y": 4}],
        "dict of lists": {"x": [1, 3], "y": [2, 4]},
        "dict of ndarrays": {"x": np.array([1.0, 3.0]), "y": np.array([2.0, 4.0])},
        "dataframe_split": {"dataframe_split": {"columns": ["x", "y"], "data": [[1, 2], [3, 4]]}},
        "dataframe_split with index": {
            "dataframe_split": {"columns": ["x", "y"], "data": [[1, 2], [3, 4]], "index": [7, 9]}
        },
        "dataframe_records": {"dataframe_records": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]},
        "instances rows": {"instances": [[1, 2], [3, 4]]},
        "instances dict": {"instances": {"x": [1, 3], "y": [2, 4]}},
        "inputs rows": {"inputs": [[1, 2], [3, 4]]},
        "inputs dict": {"inputs": {"x": [1, 3], "y": [2, 4]}},
        "inputs with params": {"inputs": [[1, 2], [3, 4]], "params": {"unused": 1}},
    }


def one_column_inputs() -> dict[str, Any]:
    return {
        "Series": pd.Series([1.0, 2.0], name="v"),
        "unnamed Series": pd.Series([1, 2]),
        "1-D ndarray": np.array([1.0, 2.0]),
        "list of scalars": [1, 2],
        "instances scalars": {"instances": [1, 2]},
    }


def frozen(value: Any) -> Any:
    """A deep copy to compare against, whatever the shape."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=True)
    return copy.deepcopy(value)


def assert_unchanged(original: Any, now: Any) -> None:
    if isinstance(original, pd.DataFrame):
        pd.testing.assert_frame_equal(now, original)
    elif isinstance(original, pd.Series):
        pd.testing.assert_series_equal(now, original)
    elif isinstance(original, np.ndarray):
        assert now.shape == original.shape
        assert now.dtype == original.dtype
        np.testing.assert_array_equal(now, original)
    elif isinstance(original, dict):
        assert type(now) is dict
        assert list(now) == list(original)
        for key in original:
            assert_unchanged(original[key], now[key])
    elif isinstance(original, (list, tuple)):
        assert type(now) is type(original)
        assert len(now) == len(original)
        for before, after in zip(original, now, strict=True):
            assert_unchanged(before, after)
    else:
        assert now == original


@pytest.mark.parametrize("shape", list(two_column_inputs()))
def test_every_two_column_shape_predicts_exactly(
    scoring: MemoryDeploymentClient, shape: str
) -> None:
    inputs = two_column_inputs()[shape]
    untouched = frozen(inputs)
    response = scoring.predict("two", inputs)
    assert isinstance(response, api.PredictionsResponse)
    assert isinstance(response["predictions"], np.ndarray)
    assert response["predictions"].dtype == np.float64
    assert response["predictions"].tolist() == TWO_ROWS_EXPECTED
    assert_unchanged(untouched, inputs)


@pytest.mark.parametrize("shape", list(one_column_inputs()))
def test_every_one_column_shape_predicts_exactly(
    scoring: MemoryDeploymentClient, shape: str
) -> None:
    inputs = one_column_inputs()[shape]
    untouched = frozen(inputs)
    assert scoring.predict("one", inputs)["predictions"].tolist() == ONE_COLUMN_EXPECTED
    assert_unchanged(untouched, inputs)


@pytest.mark.parametrize("shape", list(two_column_inputs()) + list(one_column_inputs()))
def test_no_shape_is_changed_by_any_model(scoring: MemoryDeploymentClient, shape: str) -> None:
    inputs = {**two_column_inputs(), **one_column_inputs()}[shape]
    untouched = frozen(inputs)
    for name in ["constant", "word", "echo"]:
        scoring.predict(name, inputs)
        assert_unchanged(untouched, inputs)
    scoring.explain("constant", inputs)
    list(scoring.predict_stream("constant", inputs))
    assert_unchanged(untouched, inputs)


def test_a_dict_of_scalars_is_one_row(scoring: MemoryDeploymentClient) -> None:
    assert scoring.predict("two", {"x": 1, "y": 2})["predictions"].tolist() == [5.5]


def test_echo_returns_a_frame_as_records(scoring: MemoryDeploymentClient) -> None:
    frame = pd.DataFrame({"x": [1.0, 3.0], "y": [2.0, 4.0]})
    echoed = scoring.predict("echo", frame)["predictions"]
    assert echoed == [{"x": 1.0, "y": 2.0}, {"x": 3.0, "y": 4.0}]


def test_constants_predict_one_value_per_row(scoring: MemoryDeploymentClient) -> None:
    rows = [[1, 2], [3, 4], [5, 6]]
    numeric = scoring.predict("constant", rows)["predictions"]
    assert isinstance(numeric, np.ndarray)
    assert numeric.tolist() == [7.0, 7.0, 7.0]
    assert scoring.predict("word", rows)["predictions"] == ["hello", "hello", "hello"]


def test_echo_shows_what_the_model_received(scoring: MemoryDeploymentClient) -> None:
    payload = {"dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}}
    assert scoring.predict("echo", payload)["predictions"] == [
        {"a": 1, "b": "x"},
        {"a": 2, "b": "y"},
    ]


def test_predictions_serialise_to_json(scoring: MemoryDeploymentClient) -> None:
    response = scoring.predict("two", [[1, 2], [3, 4]])
    assert json.loads(response.to_json()) == {"predictions": TWO_ROWS_EXPECTED}
    assert response.get_predictions("ndarray").tolist() == TWO_ROWS_EXPECTED


BAD_INPUTS: dict[str, Any] = {
    "None": None,
    "a scalar": 5,
    "a string": "1,2",
    "ragged rows": [[1, 2], [3]],
    "ragged tuples": ((1, 2), (3, 4, 5)),
    "rows mixed with scalars": [[1, 2], 3],
    "rows mixed with dicts": [[1, 2], {"x": 1}],
    "unequal columns": {"x": [1, 2], "y": [1]},
    "a 3-D ndarray": np.zeros((2, 2, 2)),
    "a 0-D ndarray": np.array(1.0),
    "text where numbers belong": [["a", "b"], ["c", "d"]],
    "too few columns": [[1], [2]],
    "too many columns": [[1, 2, 3]],
    "two payload keys": {"inputs": [[1, 2]], "instances": [[1, 2]]},
    "a payload with an unknown key": {"inputs": [[1, 2]], "extra": 1},
    "params that are not a dict": {"inputs": [[1, 2]], "params": [1]},
    "ragged dataframe_split": {"dataframe_split": {"columns": ["x", "y"], "data": [[1, 2], [3]]}},
    "dataframe_split without data": {"dataframe_split": {"columns": ["x", "y"]}},
    "dataframe_split with dict rows": {"dataframe_split": {"data": [{"x": 1, "y": 2}]}},
    "dataframe_split with wrong columns": {"dataframe_split": {"columns": ["x"], "data": [[1, 2]]}},
    "dataframe_records of rows": {"dataframe_records": [[1, 2]]},
    "inputs as a scalar": {"inputs": 3},
}


@pytest.mark.parametrize("shape", list(BAD_INPUTS))
def test_bad_inputs_are_refused_and_left_alone(scoring: MemoryDeploymentClient, shape: str) -> None:
    inputs = BAD_INPUTS[shape]
    untouched = frozen(inputs)
    for call in (scoring.predict, scoring.explain, scoring.predict_stream):
        with pytest.raises(api.MlflowException) as caught:
            call("two", inputs)
        assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    assert_unchanged(untouched, inputs)


def test_a_column_mismatch_names_the_columns_found(scoring: MemoryDeploymentClient) -> None:
    with pytest.raises(api.MlflowException, match=r"2 weights.*'only'") as caught:
        scoring.predict("two", pd.DataFrame({"only": [1.0], "label": ["a"]}))
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


def test_predicting_a_missing_deployment_raises(scoring: MemoryDeploymentClient) -> None:
    with pytest.raises(api.MlflowException) as caught:
        scoring.predict("missing", [[1, 2]])
    assert caught.value.error_code == api.RESOURCE_DOES_NOT_EXIST


# -- explain ---------------------------------------------------------------------------------------


def test_linear_explanations_are_exact_and_json_able(scoring: MemoryDeploymentClient) -> None:
    frame = pd.DataFrame({"x": [1.0, 3.0], "y": [2.0, 4.0], "label": ["a", "b"]})
    explanation = scoring.explain("two", frame)
    assert explanation == {
        "feature_names": ["x", "y"],
        "base_value": 0.5,
        "contributions": [[1.0, 4.0], [3.0, 8.0]],
    }
    assert json.loads(json.dumps(explanation)) == explanation
    # Contributions plus the base value give the prediction back.
    total = [sum(row) + explanation["base_value"] for row in explanation["contributions"]]
    assert total == scoring.predict("two", frame)["predictions"].tolist()


def test_constant_explanations_are_zero_with_the_constant_as_base(
    scoring: MemoryDeploymentClient,
) -> None:
    explanation = scoring.explain("constant", [[1, 2], [3, 4]])
    assert explanation == {
        "feature_names": ["0", "1"],
        "base_value": 7.0,
        "contributions": [[0.0, 0.0], [0.0, 0.0]],
    }
    assert json.loads(json.dumps(explanation)) == explanation


def test_models_without_explanations_say_so(scoring: MemoryDeploymentClient) -> None:
    with pytest.raises(api.MlflowException) as caught:
        scoring.explain("echo", [[1, 2]])
    assert caught.value.error_code == api.NOT_IMPLEMENTED


def test_explaining_a_missing_deployment_raises(scoring: MemoryDeploymentClient) -> None:
    with pytest.raises(api.MlflowException) as caught:
        scoring.explain("missing", [[1, 2]])
    assert caught.value.error_code == api.RESOURCE_DOES_NOT_EXIST


# -- predict_stream --------------------------------------------------------------------------------


def chunks(stream: Any) -> list[list[Any]]:
    collected = []
    for chunk in stream:
        assert set(chunk) == {"predictions"}
        assert type(chunk["predictions"]) is list
        json.dumps(chunk)  # plain Python values only
        collected.append(chunk["predictions"])
    return collected


def test_streams_come_in_chunks_of_the_default_size(scoring: MemoryDeploymentClient) -> None:
    rows = np.ones((2500, 2))
    streamed = chunks(scoring.predict_stream("two", rows))
    assert [len(chunk) for chunk in streamed] == [1000, 1000, 500]
    assert [value for chunk in streamed for value in chunk] == [3.5] * 2500


def test_the_chunk_size_comes_from_the_config(client: MemoryDeploymentClient) -> None:
    client.create_deployment(
        "model", "reference:/linear?weights=1", config={"stream_chunk_size": 2}
    )
    assert chunks(client.predict_stream("model", [1, 2, 3, 4, 5])) == [
        [1.0, 2.0],
        [3.0, 4.0],
        [5.0],
    ]
    client.update_deployment("model", config={"stream_chunk_size": "3"})
    assert chunks(client.predict_stream("model", [1, 2, 3, 4, 5])) == [[1.0, 2.0, 3.0], [4.0, 5.0]]


def test_streams_of_strings_and_records(scoring: MemoryDeploymentClient) -> None:
    assert chunks(scoring.predict_stream("word", [[1], [2]])) == [["hello", "hello"]]
    assert chunks(scoring.predict_stream("echo", [{"a": 1}])) == [[{"a": 1}]]


@pytest.mark.parametrize(
    ("name", "inputs", "code"),
    [
        ("missing", [[1, 2]], api.RESOURCE_DOES_NOT_EXIST),
        ("two", [[1, 2], [3]], api.INVALID_PARAMETER_VALUE),
        (None, [[1, 2]], api.INVALID_PARAMETER_VALUE),
    ],
)
def test_stream_errors_are_raised_at_call_time(
    scoring: MemoryDeploymentClient, name: str | None, inputs: Any, code: str
) -> None:
    call: Callable[[], Any] = lambda: scoring.predict_stream(name, inputs)  # noqa: E731
    with pytest.raises(api.MlflowException) as caught:
        call()  # no iteration
    assert caught.value.error_code == code
