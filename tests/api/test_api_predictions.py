"""``PredictionsResponse``: get_predictions, from_json refusals and equality, as in MLflow."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

import conformance.api as api
from conformance.api import PredictionsResponse


def response(predictions: Any) -> PredictionsResponse:
    return PredictionsResponse({"predictions": predictions})


def assert_invalid_parameter(caught: pytest.ExceptionInfo[api.MlflowException]) -> None:
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"


# --- get_predictions("dataframe") ---------------------------------------------------------


def test_dataframe_is_the_default_format() -> None:
    frame = response([1, 2]).get_predictions()
    assert isinstance(frame, pd.DataFrame)


def test_a_string_is_a_one_row_frame() -> None:
    frame = response("positive").get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame(["positive"]))


def test_a_dict_of_scalars_is_a_one_row_frame() -> None:
    frame = response({"label": "cat", "score": 0.9}).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"label": ["cat"], "score": [0.9]}))


def test_a_list_is_one_column() -> None:
    frame = response([1.5, 2.5, 3.5]).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame([1.5, 2.5, 3.5]))


def test_records_are_rows() -> None:
    records = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    frame = response(records).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))


def test_a_dict_of_lists_is_columns() -> None:
    frame = response({"a": [1, 2], "b": [3.0, 4.0]}).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}))


def test_a_dict_with_a_list_and_a_scalar_broadcasts_the_scalar() -> None:
    frame = response({"a": [1, 2], "b": 7}).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1, 2], "b": [7, 7]}))


def test_a_dict_of_numpy_columns_is_columns() -> None:
    frame = response({"a": np.array([1, 2])}).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1, 2]}))


def test_a_list_of_lists_is_rows() -> None:
    frame = response([[1, 2], [3, 4]]).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame([[1, 2], [3, 4]]))


def test_a_dict_of_dicts_is_columns_keyed_by_index() -> None:
    columns = {"a": {"r1": 1, "r2": 2}, "b": {"r1": 3, "r2": 4}}
    frame = response(columns).get_predictions("dataframe")
    pd.testing.assert_frame_equal(frame, pd.DataFrame(columns))


# --- get_predictions("ndarray") -----------------------------------------------------------


def test_ndarray_without_dtype() -> None:
    array = response([[1.0, 2.0], [3.0, 4.0]]).get_predictions("ndarray")
    assert isinstance(array, np.ndarray)
    np.testing.assert_array_equal(array, np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert array.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, "float32", np.int64, "U3"])
def test_ndarray_with_dtype(dtype: Any) -> None:
    array = response([1, 2, 3]).get_predictions("ndarray", dtype=dtype)
    assert array.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(array, np.array([1, 2, 3], dtype=dtype))


def test_ndarray_of_strings() -> None:
    array = response(["a", "bc"]).get_predictions("ndarray")
    assert array.tolist() == ["a", "bc"]


def test_ragged_predictions_are_not_an_ndarray() -> None:
    with pytest.raises(api.MlflowException, match="ndarray") as caught:
        response([[1, 2], [3]]).get_predictions("ndarray")
    assert_invalid_parameter(caught)


def test_values_that_do_not_fit_the_dtype_are_refused() -> None:
    with pytest.raises(api.MlflowException, match="float64") as caught:
        response(["not a number"]).get_predictions("ndarray", dtype=np.float64)
    assert_invalid_parameter(caught)


@pytest.mark.parametrize("fmt", ["json", "DataFrame", "", "series"])
def test_unknown_format_is_refused(fmt: str) -> None:
    with pytest.raises(api.MlflowException) as caught:
        response([1]).get_predictions(fmt)
    assert_invalid_parameter(caught)
    assert repr(fmt) in caught.value.message


# --- from_json refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "{", "predictions", "{'predictions': [1]}", '{"predictions": [1,]}', b"\xff\xfe"],
    ids=["empty", "truncated", "bare-word", "single-quotes", "trailing-comma", "bad-utf8"],
)
def test_from_json_refuses_invalid_json(text: str | bytes) -> None:
    with pytest.raises(api.MlflowException, match="not valid JSON") as caught:
        PredictionsResponse.from_json(text)
    assert_invalid_parameter(caught)


@pytest.mark.parametrize("text", ["[1, 2]", '"predictions"', "3", "null", '{"outputs": [1]}', "{}"])
def test_from_json_refuses_anything_but_a_dict_with_predictions(text: str) -> None:
    with pytest.raises(api.MlflowException, match="'predictions'") as caught:
        PredictionsResponse.from_json(text)
    assert_invalid_parameter(caught)


def test_from_json_error_shows_a_bounded_excerpt() -> None:
    with pytest.raises(api.MlflowException) as caught:
        PredictionsResponse.from_json("[" + ", ".join(["123456789"] * 10_000) + "]")
    assert len(caught.value.message) < 500


def test_from_json_returns_the_class_it_was_called_on() -> None:
    class Tagged(PredictionsResponse):
        pass

    assert type(Tagged.from_json('{"predictions": 1}')) is Tagged


def test_the_constructor_checks_nothing() -> None:
    assert PredictionsResponse({"outputs": 1}) == {"outputs": 1}


# --- equality -------------------------------------------------------------------------------


def test_equal_contents_are_equal() -> None:
    first, second = response([1, 2.5, "x"]), response([1, 2.5, "x"])
    assert first == second
    assert (first != second) is False


def test_different_predictions_are_different() -> None:
    first, second = response([1, 2]), response([1, 3])
    assert first != second
    assert (first == second) is False


def test_extra_metadata_counts() -> None:
    assert response([1]) != PredictionsResponse({"predictions": [1], "model": "m"})


def test_a_plain_dict_with_the_same_contents_is_equal() -> None:
    assert response([1, 2]) == {"predictions": [1, 2]}
    assert {"predictions": [1, 2]} == response([1, 2])  # noqa: SIM300  # the reflected ==
    assert (response([1, 2]) != {"predictions": [1, 2]}) is False


def test_an_array_and_its_list_are_equal_because_their_json_is() -> None:
    assert response(np.array([1.0, 2.0])) == response([1.0, 2.0])
    assert (response(np.array([1.0, 2.0])) != response([1.0, 2.0])) is False
    assert response(np.array([1.0, 2.0])) != response([1.0, 2.5])


def test_frames_compare_by_their_records() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    assert response(frame) == response([{"a": 1}, {"a": 2}])
    assert response(frame) != response([{"a": 1}, {"a": 3}])


def test_nan_equals_nan_because_both_are_written_as_null() -> None:
    assert response([float("nan")]) == response([float("nan")])


@pytest.mark.parametrize("other", [None, [1], "predictions", 1])
def test_non_mappings_are_never_equal(other: Any) -> None:
    assert response([1]) != other
    assert (response([1]) == other) is False


def test_unserialisable_contents_compare_unequal_instead_of_raising() -> None:
    assert response(object()) != response(object())


def test_responses_are_unhashable_like_dicts() -> None:
    with pytest.raises(TypeError):
        hash(response([1]))


# --- with MLflow installed ------------------------------------------------------------------

SAME_AS_MLFLOW = [
    "text",
    {"label": "cat", "score": 0.9},
    [1, 2, 3],
    [{"a": 1}, {"a": 2}],
    {"a": [1, 2], "b": [3, 4]},
    {"a": [1, 2], "b": 7},
    [[1, 2], [3, 4]],
    {"a": np.array([1, 2])},
]


@pytest.mark.mlflow
def test_is_mlflows_predictions_response(mlflow: ModuleType) -> None:
    assert isinstance(response([1]), mlflow.deployments.PredictionsResponse)
    assert issubclass(PredictionsResponse, mlflow.deployments.PredictionsResponse)


@pytest.mark.mlflow
@pytest.mark.parametrize("predictions", SAME_AS_MLFLOW, ids=repr)
def test_dataframe_is_the_frame_mlflow_builds(mlflow: ModuleType, predictions: Any) -> None:
    theirs_cls = mlflow.deployments.PredictionsResponse
    theirs = theirs_cls.get_predictions(theirs_cls({"predictions": predictions}))
    pd.testing.assert_frame_equal(response(predictions).get_predictions("dataframe"), theirs)


@pytest.mark.mlflow
@pytest.mark.parametrize("dtype", [None, np.float32, "int64"])
def test_ndarray_is_the_array_mlflow_builds(mlflow: ModuleType, dtype: Any) -> None:
    predictions = [[1, 2], [3, 4]]
    theirs_cls = mlflow.deployments.PredictionsResponse
    theirs = theirs_cls.get_predictions(theirs_cls({"predictions": predictions}), "ndarray", dtype)
    ours = response(predictions).get_predictions("ndarray", dtype)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == theirs.dtype


@pytest.mark.mlflow
def test_mlflows_unknown_format_code_matches(mlflow: ModuleType) -> None:
    theirs_cls = mlflow.deployments.PredictionsResponse
    with pytest.raises(mlflow.exceptions.MlflowException) as theirs:
        theirs_cls.get_predictions(theirs_cls({"predictions": [1]}), "json")
    with pytest.raises(mlflow.exceptions.MlflowException) as ours:
        response([1]).get_predictions("json")
    assert ours.value.error_code == theirs.value.error_code


@pytest.mark.mlflow
def test_equal_to_mlflows_instance_with_the_same_contents(mlflow: ModuleType) -> None:
    theirs = mlflow.deployments.PredictionsResponse({"predictions": [1, 2]})
    assert response([1, 2]) == theirs
    assert theirs == response([1, 2])
    assert response([1, 3]) != theirs
