"""The kit's default models: pyfunc-like output, exact expectations, saved once per version."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import conformance.api as api
from conformance._checks._support import matches
from conformance._inputs import default_input
from conformance._models import (
    MEMORY_PRIMARY,
    MEMORY_SECONDARY,
    SHAPED_OUTPUTS,
    default_models,
    shaped,
)
from reference_target.models import load_model


def test_memory_defaults_return_what_pyfunc_models_return() -> None:
    frame = default_input()
    primary = load_model(MEMORY_PRIMARY).predict(frame)
    secondary = load_model(MEMORY_SECONDARY).predict(frame)

    assert isinstance(primary, pd.DataFrame)
    assert {str(dtype) for dtype in primary.dtypes} == {"float64", "float32", "int64", "object"}
    assert all(isinstance(cell, np.ndarray) and cell.ndim == 1 for cell in primary["embedding"])
    assert isinstance(secondary, np.ndarray) and secondary.ndim == 2


def test_the_kit_knows_what_its_memory_defaults_predict() -> None:
    pair = default_models("memory")
    assert pair is not None
    frame = default_input()
    for uri in (pair.primary, pair.secondary):
        assert uri is not None
        expected = pair.expected(uri, frame, default_input=True)
        assert matches(load_model(uri).predict(frame), expected)
    assert not matches(
        load_model(pair.primary).predict(frame), pair.expected(pair.secondary, frame, True)
    )
    assert pair.expected(pair.primary, frame, default_input=False) is None


@pytest.mark.parametrize("output", SHAPED_OUTPUTS)
def test_every_shape_holds_the_same_scores(output: str) -> None:
    scores = np.array([2.0, 5.5, -1.0])
    value = shaped(scores, output)
    column = {
        "array": lambda v: v,
        "matrix": lambda v: v[:, 0],
        "scalars": np.array,
        "series": lambda v: v.to_numpy(),
        "frame": lambda v: v["prediction"].to_numpy(),
    }[output](value)
    assert np.array_equal(np.asarray(column, dtype=float), scores)
    # The kit's own response class writes every shape as JSON.
    assert api.PredictionsResponse({"predictions": value}).to_json()


_CONTAINER_TYPES = {
    "array": lambda v: isinstance(v, np.ndarray) and v.ndim == 1,
    "matrix": lambda v: isinstance(v, np.ndarray) and v.ndim == 2,
    "scalars": lambda v: isinstance(v, list) and all(isinstance(x, np.generic) for x in v),
    "series": lambda v: isinstance(v, pd.Series),
    "frame": lambda v: isinstance(v, pd.DataFrame),
}


def _answers_every_container(predict: Any, pair: Any) -> None:
    frame = default_input()
    requests = pair.container_requests(frame, default_input=True)
    assert sorted(container for container, _ in requests) == sorted(set(SHAPED_OUTPUTS) - {"frame"})
    for container, request in requests:
        value = predict(request)
        assert _CONTAINER_TYPES[container](value), (container, type(value))
        assert matches(value, pair.expected(pair.primary, request, default_input=True))
        # The request's own column is read, never scored: the scores are the sample input's.
        assert np.allclose(np.asarray(matches_scores(value), dtype=float), [2.0, 5.5, 2.5])
    assert "output" not in frame.columns  # the sample input itself is left as it was


def matches_scores(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return value[:, 0]
    return np.asarray(value, dtype=float)


def test_one_memory_deployment_answers_in_every_container_it_is_asked_for() -> None:
    pair = default_models("memory")
    assert pair is not None
    _answers_every_container(load_model(pair.primary).predict, pair)


def test_the_pyfunc_defaults_answer_in_every_container_they_are_asked_for() -> None:
    pyfunc = pytest.importorskip("mlflow.pyfunc")
    pair = default_models("kit-anywhere")
    assert pair is not None
    model = pyfunc.load_model(pair.primary)
    _answers_every_container(model.predict, pair)


def test_a_users_input_asks_for_no_other_container() -> None:
    pair = default_models("memory")
    assert pair is not None
    assert pair.container_requests(default_input(), default_input=False) == []


def test_an_unknown_container_in_the_request_is_refused() -> None:
    request = default_input().assign(output="table")
    with pytest.raises(api.MlflowException) as raised:
        load_model(MEMORY_PRIMARY).predict(request)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "array, matrix, scalars, series, frame" in raised.value.message


def test_scalars_are_numpy_int64_and_float32() -> None:
    assert [type(v) for v in shaped([7.0, 5.5], "scalars")] == [np.int64, np.float32]


def test_an_unknown_shape_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(api.MlflowException) as raised:
        load_model("reference:/shaped?output=table&bias=1")
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "array, matrix, scalars, series, frame" in raised.value.message


# -- the pyfunc defaults' cache -------------------------------------------------------------------


@pytest.fixture
def fake_saving(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """MLflow's save_model replaced by one that writes an MLmodel and records the call; the user
    cache and the system temp folder moved under tmp_path."""
    pyfunc = pytest.importorskip("mlflow.pyfunc")
    saved: list[str] = []

    def save_model(path: str, python_model: Any = None, **kwargs: Any) -> None:
        Path(path).mkdir()
        (Path(path) / "MLmodel").write_text("flavors: {}\n")
        saved.append(Path(path).name)

    monkeypatch.setattr(pyfunc, "save_model", save_model)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    return saved


def test_pyfunc_defaults_are_saved_once_and_reused(fake_saving: list[str], tmp_path: Path) -> None:
    first = default_models("kit-somewhere")
    second = default_models("kit-elsewhere")

    assert first is not None and second is not None
    assert fake_saving == ["primary", "secondary"]  # the second run reused them
    assert (first.primary, first.secondary) == (second.primary, second.secondary)
    assert first.primary.startswith(str(tmp_path / "cache"))
    assert os.listdir(tmp_path / "system-temp") == []
    folder = Path(first.primary).parent
    assert os.listdir(folder.parent) == [folder.name]  # no staging folder left behind


def test_a_run_that_loses_the_race_uses_the_winners_models(
    fake_saving: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import conformance._models as models

    folder = models.models_cache_folder()
    winner: list[Path] = []
    rename = os.rename

    def another_run_finishes_first(source: Any, destination: Any) -> None:
        if not winner:  # the other run renames its complete copy into place first
            winner.append(Path(destination))
            Path(destination).mkdir(parents=True)
            for name in ("primary", "secondary"):
                (Path(destination) / name).mkdir()
                (Path(destination) / name / "MLmodel").write_text("theirs\n")
        rename(source, destination)

    monkeypatch.setattr(models.os, "rename", another_run_finishes_first)
    pair = default_models("kit-racing")

    assert pair is not None and Path(pair.primary).parent == folder
    assert (folder / "primary" / "MLmodel").read_text() == "theirs\n"
    assert os.listdir(folder.parent) == [folder.name]
