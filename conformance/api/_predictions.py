"""``PredictionsResponse``: what ``predict`` returns, with fast and lossless JSON round trips.

JSON policy, in one sentence: **write strict JSON, read lenient JSON.**

- ``to_json`` writes standard JSON (RFC 8259) only. NaN, +Infinity and -Infinity have no standard
  spelling, so they are written as ``null``, as browsers do. numpy arrays and scalars, pandas
  DataFrames (as records, like MLflow's scoring server) and Series (as lists) are written too.
- ``from_json`` also reads the non-standard ``NaN`` and ``Infinity`` tokens that ``json.dumps``
  writes, so files written by MLflow's own class load.
- Two responses are equal when they serialise to the same JSON, so a response holding a numpy
  array equals its own round trip.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from conformance.api._errors import ErrorCode, MlflowException
from conformance.api._mlflow import mlflow_deployments

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["PredictionsResponse", "to_jsonable_bytes"]

_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def _fallback(value: Any) -> Any:
    """Serialise what orjson does not know natively."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if isinstance(value, (pd.Series, pd.Index)):
        return value.tolist()
    if isinstance(value, np.ndarray):  # object dtype or non-contiguous arrays
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_jsonable_bytes(value: Any) -> bytes:
    """``value`` as strict JSON bytes, by the policy in this module's docstring."""
    try:
        return orjson.dumps(value, default=_fallback, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        pass
    # orjson refuses integers beyond 64 bits and lone surrogates; the standard library
    # writes both, so fall back to it (slower, and only for such rare values).
    try:
        return json.dumps(_plain(value), allow_nan=False, separators=(",", ":")).encode()
    except RecursionError:
        raise MlflowException(
            "Predictions cannot be written as JSON: they are nested too deep for Python to "
            "walk. Return flatter predictions (orjson writes up to 255 levels).",
            ErrorCode.INVALID_PARAMETER_VALUE,
        ) from None
    except (TypeError, ValueError) as exc:
        raise MlflowException(
            f"Predictions cannot be written as JSON: {exc}. Return numbers, strings, lists, "
            "dicts, numpy arrays or pandas objects.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        ) from exc


def _plain(value: Any) -> Any:
    """``value`` with numpy, pandas and non-finite floats turned into plain JSON values."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return _plain(_fallback(value))


def _key(key: Any) -> Any:
    return key if isinstance(key, (str, int, float, bool)) or key is None else str(key)


# An integer beyond 64 bits has 19 or more digits not preceded by a digit or a point (a
# float's fraction, or a string, may hold long digit runs too). orjson would read such an
# integer as a float and lose digits; the standard library keeps it exact. The scan maps every
# byte to '0' (digit), '.' or ' ', then looks for the run: about a third of orjson's read time.
_DIGIT_CLASSES = bytes(
    0x30 if 0x30 <= byte <= 0x39 else (0x2E if byte == 0x2E else 0x20) for byte in range(256)
)
_LONG_INTEGER = b"0" * 19


def _has_long_integer(data: bytes) -> bool:
    classes = data.translate(_DIGIT_CLASSES)
    return classes.startswith(_LONG_INTEGER) or b" " + _LONG_INTEGER in classes


def _loads(text: str | bytes | bytearray) -> Any:
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if _has_long_integer(data):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # MLflow's own class writes NaN and Infinity tokens; read them rather than reject them.
        return json.loads(text)


def _is_column(value: Any) -> bool:
    """A one-dimensional list-like value (a dict counts: it maps index to cell): a column."""
    from pandas.api.types import is_list_like

    return bool(is_list_like(value)) and getattr(value, "ndim", 1) == 1


_mlflow = mlflow_deployments()
_ResponseBase: type[dict[str, Any]] = dict if _mlflow is None else _mlflow.PredictionsResponse


class PredictionsResponse(_ResponseBase):  # type: ignore[misc,valid-type]
    """Predictions and response metadata, as a dict with a ``"predictions"`` key.

    With MLflow installed this is a subclass of ``mlflow.deployments.PredictionsResponse``.
    """

    __hash__ = None  # type: ignore[assignment]

    def get_predictions(
        self, predictions_format: str = "dataframe", dtype: Any = None
    ) -> pd.DataFrame | np.ndarray:
        """The predictions as a ``"dataframe"`` or an ``"ndarray"`` (coerced to ``dtype``).

        A string, or a dict with no list-like value, becomes a one-row frame. Ragged data
        cannot be an array and raises INVALID_PARAMETER_VALUE, as does any other format.
        """
        predictions = self["predictions"]
        if predictions_format == "dataframe":
            import pandas as pd

            if isinstance(predictions, str):
                return pd.DataFrame([predictions])
            if isinstance(predictions, Mapping) and not any(
                _is_column(v) for v in predictions.values()
            ):
                return pd.DataFrame(dict(predictions), index=[0])
            return pd.DataFrame(predictions)
        if predictions_format == "ndarray":
            import numpy as np

            try:
                return np.array(predictions, dtype=dtype)
            except (ValueError, TypeError) as exc:
                raise MlflowException(
                    f"The predictions cannot be represented as an ndarray"
                    f"{f' of dtype {dtype}' if dtype is not None else ''}: {exc}",
                    ErrorCode.INVALID_PARAMETER_VALUE,
                ) from exc
        raise MlflowException(
            f"Unknown predictions format {predictions_format!r}: use 'dataframe' or 'ndarray'.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str | None:
        """The response as strict JSON; with ``path``, written to that file and None returned."""
        payload = to_jsonable_bytes(dict(self))
        if path is None:
            return payload.decode()
        with open(path, "wb") as stream:
            stream.write(payload)
        return None

    @classmethod
    def from_json(cls, json_str: str | bytes | bytearray) -> PredictionsResponse:
        """Parse a response; anything but a JSON object with ``"predictions"`` raises."""
        try:
            parsed = _loads(json_str)
        except (ValueError, TypeError) as exc:
            raise MlflowException(
                f"The predictions response is not valid JSON: {exc}",
                ErrorCode.INVALID_PARAMETER_VALUE,
            ) from exc
        if not isinstance(parsed, dict) or "predictions" not in parsed:
            shown = repr(parsed)
            raise MlflowException(
                "A predictions response must be a JSON object with a 'predictions' key; "
                f"got {shown[:200]}{'…' if len(shown) > 200 else ''}",
                ErrorCode.INVALID_PARAMETER_VALUE,
            )
        return cls(parsed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        try:
            if dict.__eq__(self, other) is True:
                return True
        except (ValueError, TypeError):  # numpy arrays make element-wise == ambiguous
            pass
        try:
            return _loads(to_jsonable_bytes(dict(self))) == _loads(to_jsonable_bytes(dict(other)))
        except MlflowException:
            return False

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal
