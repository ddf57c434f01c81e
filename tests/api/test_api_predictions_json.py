"""``PredictionsResponse`` JSON: lossless round trips, strict output, lenient input, MLflow."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.api import PredictionsResponse


def response(predictions: Any, **metadata: Any) -> PredictionsResponse:
    return PredictionsResponse({"predictions": predictions, **metadata})


def round_trip(original: PredictionsResponse) -> PredictionsResponse:
    text = original.to_json()
    assert isinstance(text, str)
    return PredictionsResponse.from_json(text)


def strict_loads(text: str) -> Any:
    """Parse standard JSON only: NaN and Infinity tokens are an error, as in most parsers."""

    def refuse(token: str) -> Any:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "predictions",
    [
        [1, 2, 3],
        [0.1, -2.5e-300, 1.7976931348623157e308, 5e-324, -0.0],
        ["a", "ünï", "", "line\nbreak", '"quoted"'],
        [True, False, None],
        [[1, 2], [3, 4]],
        {"scores": [0.1, 0.9], "labels": ["a", "b"], "nested": {"deep": [{"x": 1}]}},
        "just text",
        42,
        [],
        {},
    ],
    ids=[
        "ints",
        "floats",
        "strings",
        "literals",
        "matrix",
        "nested-dict",
        "str",
        "int",
        "[]",
        "{}",
    ],
)
def test_plain_values_round_trip_exactly(predictions: Any) -> None:
    original = response(predictions, model="m", version=3)
    loaded = round_trip(original)
    assert loaded == original
    # Not only equal by the response's own JSON-based equality: equal as plain dicts too.
    assert dict.__eq__(dict(loaded), dict(original)) is True


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_])
def test_numpy_arrays_round_trip(dtype: Any) -> None:
    array = (np.arange(12).reshape(3, 4) * 1.25).astype(dtype)
    original = response(array)
    loaded = round_trip(original)
    assert loaded == original
    assert (loaded != original) is False
    np.testing.assert_array_equal(loaded.get_predictions("ndarray", dtype=dtype), array)


def test_float32_values_keep_their_float32_value() -> None:
    array = np.array([0.1, 1 / 3, 1e-7], dtype=np.float32)
    loaded = round_trip(response(array))
    np.testing.assert_array_equal(loaded.get_predictions("ndarray", dtype=np.float32), array)


def test_non_contiguous_and_object_arrays_round_trip() -> None:
    strided = np.arange(12).reshape(3, 4)[:, ::2]
    objects = np.array(["a", 1, None], dtype=object)
    assert round_trip(response(strided))["predictions"] == [[0, 2], [4, 6], [8, 10]]
    assert round_trip(response(objects))["predictions"] == ["a", 1, None]


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        (np.float64(2.5), 2.5),
        (np.float32(0.5), 0.5),
        (np.int64(-7), -7),
        (np.uint16(9), 9),
        (np.bool_(True), True),
    ],
)
def test_numpy_scalars_round_trip(scalar: Any, expected: Any) -> None:
    original = response(scalar)
    loaded = round_trip(original)
    assert loaded["predictions"] == expected
    assert type(loaded["predictions"]) is type(expected)
    assert loaded == original


def test_a_dataframe_is_written_as_records_like_the_scoring_server() -> None:
    frame = pd.DataFrame({"label": ["cat", "dog"], "score": [0.25, 0.75], "rank": [1, 2]})
    original = response(frame)
    assert json.loads(original.to_json()) == {
        "predictions": [
            {"label": "cat", "score": 0.25, "rank": 1},
            {"label": "dog", "score": 0.75, "rank": 2},
        ]
    }
    loaded = round_trip(original)
    assert loaded == original
    pd.testing.assert_frame_equal(loaded.get_predictions("dataframe"), frame)


def test_a_series_is_written_as_a_list() -> None:
    series = pd.Series([1.5, 2.5], name="score")
    loaded = round_trip(response(series))
    assert loaded["predictions"] == [1.5, 2.5]
    assert loaded == response(series)


def test_nested_containers_of_numpy_and_pandas_values_round_trip() -> None:
    original = response(
        {
            "embedding": np.ones((2, 2), dtype=np.float32),
            "top": {"index": np.int64(3), "scores": pd.Series([0.5, 0.25])},
            "table": pd.DataFrame({"a": [1]}),
        }
    )
    assert json.loads(original.to_json())["predictions"] == {
        "embedding": [[1.0, 1.0], [1.0, 1.0]],
        "top": {"index": 3, "scores": [0.5, 0.25]},
        "table": [{"a": 1}],
    }
    assert round_trip(original) == original


def test_bytes_input_is_read_like_text() -> None:
    original = response([1, "ü"])
    text = original.to_json()
    assert isinstance(text, str)
    assert PredictionsResponse.from_json(text.encode()) == original


def test_to_json_with_a_path_writes_the_same_text_and_returns_none(tmp_path: Path) -> None:
    original = response(np.array([1.0, float("nan")]), model="m")
    text = original.to_json()
    as_str, as_path = tmp_path / "a.json", tmp_path / "b.json"
    assert original.to_json(str(as_str)) is None
    assert original.to_json(as_path) is None
    assert as_str.read_text(encoding="utf-8") == text
    assert as_path.read_text(encoding="utf-8") == text
    assert PredictionsResponse.from_json(as_path.read_text(encoding="utf-8")) == original


# --- NaN and infinities: strict output, lenient input -------------------------------------


@pytest.mark.parametrize(
    ("predictions", "expected"),
    [
        ([math.nan, math.inf, -math.inf, 1.0], [None, None, None, 1.0]),
        (np.array([np.nan, np.inf, -np.inf, 1.0]), [None, None, None, 1.0]),
        (np.array([np.nan, 1.0], dtype=np.float32), [None, 1.0]),
        (pd.DataFrame({"a": [math.nan, 1.0]}), [{"a": None}, {"a": 1.0}]),
        (pd.Series([math.inf, 1.0]), [None, 1.0]),
        ({"deep": [{"x": math.nan}]}, {"deep": [{"x": None}]}),
    ],
    ids=["list", "float64-array", "float32-array", "dataframe", "series", "nested"],
)
def test_non_finite_numbers_are_written_as_null(predictions: Any, expected: Any) -> None:
    text = response(predictions).to_json()
    assert isinstance(text, str)
    assert strict_loads(text) == {"predictions": expected}  # raises on NaN / Infinity tokens


@pytest.mark.parametrize("scalar", [float("nan"), np.float64("inf"), np.float32("-inf")])
def test_non_finite_scalars_are_written_as_null(scalar: Any) -> None:
    assert strict_loads(response(scalar).to_json() or "") == {"predictions": None}


def test_mlflow_style_tokens_are_read() -> None:
    loaded = PredictionsResponse.from_json('{"predictions": [NaN, Infinity, -Infinity, 1.5]}')
    values = loaded["predictions"]
    assert math.isnan(values[0])
    assert values[1:] == [math.inf, -math.inf, 1.5]


def test_mlflow_style_tokens_are_written_back_as_null() -> None:
    loaded = PredictionsResponse.from_json('{"predictions": [NaN, 2.0]}')
    assert strict_loads(loaded.to_json() or "") == {"predictions": [None, 2.0]}


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 10**30])
def test_big_integers_round_trip(value: int) -> None:
    assert round_trip(response([value]))["predictions"] == [value]


# --- property: anything JSON-able round-trips ---------------------------------------------

# Integers within orjson's native range; larger ones are covered by the test above.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@given(predictions=json_values, metadata=st.dictionaries(st.text(max_size=8), json_scalars))
def test_json_able_predictions_round_trip(predictions: Any, metadata: dict[str, Any]) -> None:
    original = PredictionsResponse({**metadata, "predictions": predictions})
    text = original.to_json()
    assert isinstance(text, str)
    # The same document json.dumps would write (MLflow's own to_json), read back strictly.
    assert strict_loads(text) == json.loads(json.dumps(dict(original)))
    loaded = PredictionsResponse.from_json(text)
    assert dict.__eq__(dict(loaded), dict(original)) is True
    assert loaded == original
    assert (loaded != original) is False


# --- with MLflow installed ------------------------------------------------------------------


@pytest.mark.mlflow
@pytest.mark.parametrize(
    "predictions",
    [
        [1.5, 2.5],
        np.array([[1.0, 2.0]], dtype=np.float32),
        pd.DataFrame({"a": [1, 2]}),
        {"nested": {"x": [np.int64(1)]}},
        [math.nan],
    ],
    ids=["list", "array", "dataframe", "nested", "nan"],
)
def test_mlflow_reads_what_we_write(mlflow: ModuleType, predictions: Any) -> None:
    theirs_cls = mlflow.deployments.PredictionsResponse
    ours = response(predictions)
    theirs = theirs_cls.from_json(ours.to_json())
    assert type(theirs) is theirs_cls
    assert theirs == ours
    assert dict(theirs) == json.loads(ours.to_json() or "")


@pytest.mark.mlflow
def test_we_read_what_mlflow_writes(mlflow: ModuleType) -> None:
    theirs_cls = mlflow.deployments.PredictionsResponse
    theirs = theirs_cls({"predictions": [1.5, math.nan, math.inf], "model": "m"})
    text = theirs_cls.to_json(theirs)
    assert "NaN" in text  # MLflow writes the non-standard token
    loaded = PredictionsResponse.from_json(text)
    assert loaded["model"] == "m"
    assert loaded["predictions"][0] == 1.5
    assert math.isnan(loaded["predictions"][1])
    assert loaded["predictions"][2] == math.inf


@pytest.mark.mlflow
def test_round_trips_through_an_mlflow_instance(mlflow: ModuleType) -> None:
    ours = response({"scores": [0.1, 0.2], "labels": ["a", "b"]})
    theirs = mlflow.deployments.PredictionsResponse.from_json(ours.to_json())
    assert PredictionsResponse.from_json(theirs.to_json()) == ours
