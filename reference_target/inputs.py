"""Every predict input shape the ``memory`` target accepts, turned into one pandas DataFrame.

Accepted: a DataFrame (used as it is), a Series (one column), a 1-D ndarray (one column) or a
2-D one, a list or tuple (of rows, of scalars, or of dicts), a dict of columns, and the
scoring-protocol payloads ``{"dataframe_split": {columns, data, index?}}``,
``{"dataframe_records": [...]}``, ``{"instances": ...}`` and ``{"inputs": ...}`` (a list, or a
dict of lists), each optionally with ``"params"``. A dict holding any of those four keys is read
as a payload, so they cannot be column names of a plain dict of columns.

The caller's object is never changed, and arrays are wrapped rather than copied where pandas
allows it. Anything malformed (ragged rows, columns of unequal length, a bare scalar) raises
``MlflowException`` with INVALID_PARAMETER_VALUE.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

import conformance.api as api

__all__ = ["PAYLOAD_KEYS", "ModelInput", "frame_from_csv", "from_payload", "to_model_input"]

PAYLOAD_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
_ROW_TYPES = (list, tuple, np.ndarray)

_ACCEPTED = (
    "a DataFrame, a Series, a 1-D or 2-D ndarray, a list (of rows, of scalars or of dicts), a "
    "dict of columns, or a dict with exactly one of "
    + ", ".join(repr(key) for key in PAYLOAD_KEYS)
    + " (and optionally 'params')"
)


class ModelInput(NamedTuple):
    """One frame to score, and the ``params`` the payload carried (None when it had none)."""

    frame: pd.DataFrame
    params: dict[str, Any] | None = None


def _invalid(message: str) -> api.MlflowException:
    return api.MlflowException(message, api.INVALID_PARAMETER_VALUE)


def _frame(build: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
    """Call a pandas constructor, turning its complaints into INVALID_PARAMETER_VALUE."""
    try:
        return build(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        raise _invalid(f"These inputs do not make a table: {exc}. Send {_ACCEPTED}.") from exc


def _check_rows(rows: Sequence[Any], what: str) -> str:
    """Whether ``rows`` holds rows, scalars or dicts (never a mix); ragged rows raise."""
    kinds = set()
    for row_type in set(map(type, rows)):
        if issubclass(row_type, Mapping):
            kinds.add("dicts")
        elif issubclass(row_type, _ROW_TYPES):
            kinds.add("rows")
        else:
            kinds.add("scalars")
    if len(kinds) > 1:
        raise _invalid(
            f"{what} mixes {' and '.join(sorted(kinds))}; send only rows (lists of equal "
            "length), only scalars (one column) or only dicts (records)."
        )
    kind = kinds.pop() if kinds else "rows"
    if kind == "rows":
        lengths = sorted(set(map(len, rows)))
        if len(lengths) > 1:
            raise _invalid(
                f"{what} is ragged: its rows have {', '.join(map(str, lengths))} values. "
                "Give every row the same number of values."
            )
    return kind


def _from_list(rows: Sequence[Any], what: str = "The input list") -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    _check_rows(rows, what)
    return _frame(pd.DataFrame, rows if isinstance(rows, list) else list(rows))


def _from_array(array: np.ndarray) -> pd.DataFrame:
    if array.ndim not in (1, 2):
        raise _invalid(
            f"An ndarray input must be 1-D (one column) or 2-D (rows); this one is "
            f"{array.ndim}-D with shape {array.shape}. Reshape it to 2-D."
        )
    # copy=False wraps the caller's array; no model here writes to its input frame.
    return _frame(pd.DataFrame, array, copy=False)


def _is_column(value: Any) -> bool:
    return isinstance(value, (*_ROW_TYPES, pd.Series, pd.Index))


def _from_columns(columns: Mapping[Any, Any], what: str = "The input dict") -> pd.DataFrame:
    if not columns:
        return pd.DataFrame()
    if not any(_is_column(value) for value in columns.values()):
        return _frame(pd.DataFrame, [dict(columns)])  # a dict of scalars is one row
    lengths = sorted({len(value) for value in columns.values() if _is_column(value)})
    if len(lengths) > 1:
        raise _invalid(
            f"{what} has columns of {', '.join(map(str, lengths))} values. Give every column "
            "the same length."
        )
    return _frame(pd.DataFrame, dict(columns), copy=False)


def _from_split(split: Any) -> pd.DataFrame:
    if not isinstance(split, Mapping) or "data" not in split:
        raise _invalid(
            "'dataframe_split' must be a dict with 'data' (a list of rows) and optionally "
            f"'columns' and 'index'; got {type(split).__name__}."
        )
    unknown = sorted(map(str, set(split) - {"columns", "data", "index"}))
    if unknown:
        raise _invalid(
            f"'dataframe_split' takes only 'columns', 'data' and 'index'; it also has {unknown}."
        )
    data = split["data"]
    if not isinstance(data, (list, tuple)):
        raise _invalid(f"'dataframe_split' data must be a list of rows; got {type(data).__name__}.")
    if data and _check_rows(data, "'dataframe_split' data") == "dicts":
        raise _invalid("'dataframe_split' data must be a list of rows, not of dicts.")
    index = split.get("index")
    # pandas repeats a single row to fill a longer index: refuse rather than invent rows.
    if index is not None and (not isinstance(index, (list, tuple)) or len(index) != len(data)):
        shown = f"{len(index)} labels" if isinstance(index, (list, tuple)) else repr(index)
        raise _invalid(
            f"'dataframe_split' index must be a list with one label per row of data; it has "
            f"{shown} for {len(data)} row(s). Give one label per row, or leave 'index' out."
        )
    return _frame(pd.DataFrame, list(data), columns=split.get("columns"), index=index)


def _from_records(records: Any) -> pd.DataFrame:
    if not isinstance(records, (list, tuple)) or not all(
        isinstance(record, Mapping) for record in records
    ):
        raise _invalid("'dataframe_records' must be a list of dicts, one per row.")
    return _from_list(records, "'dataframe_records'") if records else pd.DataFrame()


def _from_tensor_like(value: Any, key: str) -> pd.DataFrame:
    if isinstance(value, (list, tuple)):
        return _from_list(value, repr(key))
    if isinstance(value, Mapping):
        return _from_columns(value, repr(key))
    if isinstance(value, np.ndarray):
        return _from_array(value)
    raise _invalid(f"{key!r} must be a list or a dict of lists; got {type(value).__name__}.")


def from_payload(payload: Mapping[str, Any]) -> ModelInput:
    """A scoring-protocol payload: exactly one of :data:`PAYLOAD_KEYS`, optionally ``params``."""
    present = [key for key in PAYLOAD_KEYS if key in payload]
    if len(present) != 1:
        found = ", ".join(map(repr, present)) or "none"
        raise _invalid(
            f"A scoring payload needs exactly one of {', '.join(map(repr, PAYLOAD_KEYS))}; "
            f"found {found}."
        )
    extra = sorted(map(str, set(payload) - {present[0], "params"}))
    if extra:
        raise _invalid(
            f"A scoring payload holds {present[0]!r} and optionally 'params'; remove {extra}."
        )
    params = payload.get("params")
    if params is not None and not isinstance(params, Mapping):
        raise _invalid(f"'params' must be a dict; got {type(params).__name__}.")
    key = present[0]
    value = payload[key]
    if key == "dataframe_split":
        frame = _from_split(value)
    elif key == "dataframe_records":
        frame = _from_records(value)
    else:
        frame = _from_tensor_like(value, key)
    return ModelInput(frame, dict(params) if params is not None else None)


def to_model_input(inputs: Any) -> ModelInput:
    """Any accepted input shape as one frame (and the payload's params, if any)."""
    if isinstance(inputs, pd.DataFrame):
        return ModelInput(inputs)
    if isinstance(inputs, pd.Series):
        return ModelInput(inputs.to_frame())
    if isinstance(inputs, np.ndarray):
        return ModelInput(_from_array(inputs))
    if isinstance(inputs, Mapping):
        if any(key in inputs for key in PAYLOAD_KEYS):
            return from_payload(inputs)
        return ModelInput(_from_columns(inputs))
    if isinstance(inputs, (list, tuple)):
        return ModelInput(_from_list(inputs))
    raise _invalid(f"predict cannot read a {type(inputs).__name__} input. Send {_ACCEPTED}.")


def frame_from_csv(body: bytes | bytearray) -> pd.DataFrame:
    """A CSV body with a header row as a frame; a row with more fields than the header raises."""
    try:
        frame = pd.read_csv(io.BytesIO(body))
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise _invalid(
            f"The CSV body cannot be read: {exc}. Send a header row, then rows."
        ) from exc
    # When every row has more fields than the header, pandas reads the leading extra fields as
    # the index instead of refusing; only then is the index not the default range.
    if not isinstance(frame.index, pd.RangeIndex):
        raise _invalid(
            f"The CSV rows have more fields than the header's {len(frame.columns)} "
            f"({', '.join(map(str, frame.columns))}). Give every row one field per column."
        )
    return frame
