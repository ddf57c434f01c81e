"""Input shapes to frames without needless copies, and the reference model URIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import conformance.api as api
from conformance.api._mlflow import mlflow_available
from reference_target.inputs import frame_from_csv, from_payload, to_model_input
from reference_target.models import ConstantModel, EchoModel, LinearModel, load_model

# -- inputs --------------------------------------------------------------------------------------


def test_a_frame_is_used_as_it_is() -> None:
    frame = pd.DataFrame({"x": [1.0]})
    assert to_model_input(frame).frame is frame


@pytest.mark.parametrize(
    "array", [np.arange(6.0).reshape(3, 2), np.arange(3.0)], ids=["2-D", "1-D"]
)
def test_arrays_are_wrapped_not_copied(array: np.ndarray) -> None:
    frame = to_model_input(array).frame
    assert np.shares_memory(frame.to_numpy(), array)
    assert frame.shape == ((3, 2) if array.ndim == 2 else (3, 1))


def test_dict_of_arrays_is_wrapped_not_copied() -> None:
    columns = {"x": np.arange(3.0), "y": np.arange(3.0)}
    frame = to_model_input(columns).frame
    assert np.shares_memory(frame["x"].to_numpy(), columns["x"])


def test_a_linear_model_scores_an_all_numeric_frame_without_copying_it() -> None:
    array = np.arange(6.0).reshape(3, 2)
    frame = pd.DataFrame(array, copy=False)
    model = LinearModel((1.0, 1.0))
    assert model.predict(frame).tolist() == [1.0, 5.0, 9.0]
    assert np.shares_memory(frame.to_numpy(np.float64), array)


def test_payload_params_are_returned() -> None:
    model_input = from_payload({"inputs": [[1]], "params": {"temperature": 0.5}})
    assert model_input.params == {"temperature": 0.5}
    assert to_model_input({"instances": [[1]]}).params is None


def test_a_plain_dict_of_columns_may_not_use_payload_keys() -> None:
    with pytest.raises(api.MlflowException, match="exactly one"):
        to_model_input({"inputs": [1], "instances": [2]})


def test_empty_inputs_make_empty_frames() -> None:
    for empty in ([], (), {}, {"inputs": []}, {"dataframe_records": []}):
        assert to_model_input(empty).frame.shape == (0, 0)


def test_csv_bodies() -> None:
    frame = frame_from_csv(b"x,y\n1,2\n3,4\n")
    assert frame.to_dict(orient="list") == {"x": [1, 3], "y": [2, 4]}
    with pytest.raises(api.MlflowException) as caught:
        frame_from_csv(b"")
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


# -- model URIs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_uri", "expected"),
    [
        ("reference:/constant?value=1.5", ConstantModel(1.5)),
        ("reference:/constant?value=-3", ConstantModel(-3.0)),
        ("reference:/constant?value=hello", ConstantModel("hello")),
        ("reference:/constant?value=nan", ConstantModel("nan")),
        ("reference:/constant?value=", ConstantModel("")),
        ("reference:/constant?value=a%20b", ConstantModel("a b")),
        ("reference:constant?value=1", ConstantModel(1.0)),
        ("reference:/linear?weights=1,2.5", LinearModel((1.0, 2.5), 0.0)),
        ("reference:/linear?weights=-1&bias=2", LinearModel((-1.0,), 2.0)),
        ("reference:/echo", EchoModel()),
    ],
)
def test_reference_model_uris(model_uri: str, expected: object) -> None:
    assert load_model(model_uri) == expected


@pytest.mark.parametrize(
    ("model_uri", "hint"),
    [
        ("reference:/nosuch", "Valid ones"),
        ("reference://constant?value=1", "Valid ones"),
        ("reference:/constant", "needs a value"),
        ("reference:/constant?value=1&value=2", "given twice"),
        ("reference:/constant?weights=1", "takes value"),
        ("reference:/linear", "needs weights"),
        ("reference:/linear?weights=", "needs weights"),
        ("reference:/linear?weights=1,,2", "finite number"),
        ("reference:/linear?weights=inf", "finite number"),
        ("reference:/linear?weights=1&bias=x", "finite number"),
        ("reference:/echo?x=1", "no parameters"),
        ("reference:/linear?weights", "key=value"),
    ],
)
def test_bad_reference_uris_say_what_is_valid(model_uri: str, hint: str) -> None:
    with pytest.raises(api.MlflowException, match=hint) as caught:
        load_model(model_uri)
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


@pytest.mark.parametrize(
    "model_uri", ["nosuchscheme://x", "nosuchscheme://[unclosed", "/no/such/dir", "runs:/x/m"]
)
def test_other_uris_raise_mlflow_exceptions_only(model_uri: str) -> None:
    if model_uri.startswith("runs:") and mlflow_available():
        pytest.skip("runs:/ asks a tracking server, which these tests never reach")
    with pytest.raises(api.MlflowException) as caught:
        load_model(model_uri)
    assert caught.value.error_code in (api.INVALID_PARAMETER_VALUE, api.RESOURCE_DOES_NOT_EXIST)
    if not mlflow_available():
        assert "mlflow" in caught.value.message
        assert caught.value.error_code == api.INVALID_PARAMETER_VALUE


def test_numeric_columns_are_picked_in_order() -> None:
    frame = pd.DataFrame({"flag": [True], "a": [2], "text": ["t"], "b": [3.0]})
    assert LinearModel((10.0, 1.0)).predict(frame).tolist() == [23.0]


def test_nullable_missing_values_become_nan() -> None:
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")})
    predicted = LinearModel((1.0,)).predict(frame)
    assert predicted[0] == 1.0
    assert np.isnan(predicted[1])
