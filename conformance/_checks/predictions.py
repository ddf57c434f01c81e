"""PredictionsResponse round trips, on the very object (and class) the target returned."""

from __future__ import annotations

import contextlib
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conformance import _catalogue as catalogue
from conformance._checks import check
from conformance._checks._support import survives_round_trip
from conformance._checks.predict import PREDICTION, response, responses
from conformance._context import Context
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, describe, error_kind

_CLASS_ROUND_TRIPS = catalogue.known_id("predictions.class-round-trips")


def _call(description: str, function: Any, *args: Any, asked: str = "") -> Any:
    try:
        return function(*args)
    except Exception as error:
        raise CheckFailed(f"{description} raised {describe(error)}{asked}") from error


@check("predictions.formats")
def formats(context: Context) -> None:
    for value, asked in responses(context):
        _formats(value, asked)


def _formats(value: Any, asked: str) -> None:
    import numpy as np
    import pandas as pd

    frame = _call("get_predictions('dataframe')", value.get_predictions, "dataframe", asked=asked)
    if not isinstance(frame, pd.DataFrame):
        raise CheckFailed(f"get_predictions('dataframe') returned {type(frame).__name__}{asked}")
    array = _call("get_predictions('ndarray')", value.get_predictions, "ndarray", asked=asked)
    if not isinstance(array, np.ndarray):
        raise CheckFailed(f"get_predictions('ndarray') returned {type(array).__name__}{asked}")
    dtype = "float64" if array.dtype.kind in "biuf" else "object"
    typed = _call(
        f"get_predictions('ndarray', {dtype!r})",
        value.get_predictions,
        "ndarray",
        dtype,
        asked=asked,
    )
    if not isinstance(typed, np.ndarray) or typed.dtype != np.dtype(dtype):
        raise CheckFailed(
            f"get_predictions('ndarray', {dtype!r}) returned "
            f"{getattr(typed, 'dtype', type(typed).__name__)}, not {dtype}{asked}"
        )


@check("predictions.unknown-format-raises")
def unknown_format_raises(context: Context) -> None:
    value = response(context)
    try:
        result = value.get_predictions("no-such-format")
    except Exception as error:
        if error_kind(error) == "other":
            raise CheckFailed(
                f"get_predictions('no-such-format') raised {describe(error)}; expected "
                "MlflowException"
            ) from None
        return
    raise CheckFailed(f"get_predictions('no-such-format') returned {type(result).__name__}")


def _json_text(value: Any, asked: str = "") -> str:
    text = _call("to_json()", value.to_json, asked=asked)
    if isinstance(text, bytes):
        text = text.decode()
    if not isinstance(text, str):
        raise CheckFailed(f"to_json() returned {type(text).__name__}, not a str{asked}")
    return text


@check("predictions.json-round-trip")
def json_round_trip(context: Context) -> None:
    for value, asked in responses(context):
        text = _json_text(value, asked)
        restored = _call("from_json(to_json())", type(value).from_json, text, asked=asked)
        # NaN, ±inf and -0.0 that come back as they were are kept: whether the JSON spelling
        # them is standard is the strict-JSON check's question, not this check's.
        if not survives_round_trip(value, restored):
            raise CheckFailed(
                f"from_json(to_json()) differs from the original{asked}: {text[:120]}"
            )


@check("predictions.to-json-path")
def to_json_path(context: Context) -> None:
    for value, asked in responses(context):
        _to_json_path(value, asked)


def _to_json_path(value: Any, asked: str) -> None:
    text = _json_text(value, asked)
    with tempfile.TemporaryDirectory(prefix="conformance-") as folder:
        path = Path(folder) / "predictions.json"
        returned = _call("to_json(path)", value.to_json, str(path), asked=asked)
        if returned is not None:
            raise CheckFailed(f"to_json(path) returned {type(returned).__name__}, not None{asked}")
        if not path.is_file():
            raise CheckFailed(f"to_json(path) wrote no file{asked}")
        written = path.read_text()
    if written != text:
        raise CheckFailed(f"to_json(path) wrote different JSON than to_json() returns{asked}")


@check("predictions.strict-json")
def strict_json(context: Context) -> None:
    import json

    strict = json.JSONDecoder(parse_constant=_reject)
    for value, asked in responses(context):
        text = _json_text(value, asked)
        try:
            strict.decode(text)
        except ValueError as error:
            raise CheckFailed(f"to_json() wrote non-standard JSON{asked}: {error}") from None


def _reject(token: str) -> Any:
    raise ValueError(f"the token {token} is not standard JSON")


def _response_class(context: Context) -> Any:
    return type(response(context))


# The class of the prediction's response, handed over once every other scenario has ended:
# MLflow, loading a model from code, briefly puts an object that is no module into sys.modules,
# and hypothesis, scanning sys.modules for constants as it draws examples, raises TypeError on
# it. Declared last, its check is also judged after those whose scenarios are still running, so
# none of them waits behind it (the shared deployment's delete, say).
RESPONSE_CLASS = scenario(catalogue.RESPONSE_CLASS, depends_on=[PREDICTION], last=True)(
    _response_class
)


@check(_CLASS_ROUND_TRIPS)
def class_round_trips(context: Context) -> None:
    from hypothesis import given

    from conformance._checks.properties import json_predictions, settings_for

    response_class = RESPONSE_CLASS.result(context)

    @given(json_predictions())
    def round_trip(predictions: Any) -> None:
        original = response_class({"predictions": predictions})
        text = _json_text(original)
        restored = _call("from_json(to_json())", response_class.from_json, text)
        if not survives_round_trip(original, restored):
            raise CheckFailed(
                f"{response_class.__qualname__} does not round-trip {predictions!r}: got "
                f"{dict(restored)!r}"
            )

    run = settings_for(context, _CLASS_ROUND_TRIPS, creates_per_example=0)(round_trip)
    with _modules_only():
        run()


@contextlib.contextmanager
def _modules_only() -> Iterator[None]:
    """Hide sys.modules entries that are no modules while hypothesis draws examples.

    MLflow, loading a model from code, puts a stand-in object under "dbutils" and can leave it
    there; hypothesis reads every entry's file as it draws and raises TypeError on it. Nothing
    else runs plugin code meanwhile (the scenarios have finished), so the entries go back after.
    """
    hidden = {
        name: value
        for name, value in list(sys.modules.items())
        if not isinstance(value, types.ModuleType)
    }
    for name in hidden:
        sys.modules.pop(name, None)
    try:
        yield
    finally:
        for name, value in hidden.items():
            sys.modules.setdefault(name, value)
