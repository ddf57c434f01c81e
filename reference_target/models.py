"""Model URIs to model objects that score one pandas DataFrame.

Built in, deterministic so predictions can be checked exactly:

- ``reference:/constant?value=V`` predicts V for every row. V is a number when ``float()``
  reads it as a finite one, otherwise the string itself.
- ``reference:/linear?weights=w1,w2,...&bias=b`` predicts, for each row, its numeric columns in
  order dotted with the weights, plus b (default 0).
- ``reference:/echo`` returns the input rows as records.
- ``reference:/shaped?output=KIND&weights=w1,w2,...&bias=b`` predicts what ``linear`` does (or
  b for every row, without weights), in the container real pyfunc models return: KIND is
  ``array``, ``matrix``, ``scalars``, ``series`` or ``frame`` (see
  :func:`conformance._models.shaped`). A request may ask for another KIND in a string column
  named ``output``, which is not scored. The kit's default models on ``memory`` are two of these.

With MLflow installed, every other URI (a local path, ``file:``, ``runs:/``, ``models:/``) is
loaded by ``mlflow.pyfunc.load_model``. Nothing here unpickles anything itself.

Limits: a linear model takes at most :data:`MAX_LINEAR_WEIGHTS` weights and every model URI at
most :data:`~reference_target.names.MAX_MODEL_URI_LENGTH` characters, so no URI makes a model
that fills the memory; the echo model's column labels must be unique and of one kind (all
strings or all integers), so that no record loses a value.
"""

from __future__ import annotations

import math
import threading
import urllib.parse
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import conformance.api as api
from reference_target.names import DEFAULT_FLAVOR, validate_flavor, validate_model_uri

__all__ = [
    "MAX_LINEAR_WEIGHTS",
    "REFERENCE_MODELS",
    "REFERENCE_SCHEME",
    "ConstantModel",
    "EchoModel",
    "LinearModel",
    "Model",
    "PyfuncModel",
    "ShapedModel",
    "load_model",
]

REFERENCE_SCHEME = "reference"
# Enough for any hand-written model, small enough that a model stays under a megabyte.
MAX_LINEAR_WEIGHTS = 10_000

Params = Mapping[str, Any] | None


def _invalid(message: str) -> api.MlflowException:
    return api.MlflowException(message, api.INVALID_PARAMETER_VALUE)


class Model:
    """A loaded model: ``predict`` scores a frame; ``explain`` is optional."""

    def predict(self, frame: pd.DataFrame, params: Params = None) -> Any:
        """Predictions for every row of ``frame``."""
        raise NotImplementedError

    def footprint(self) -> int:
        """Roughly how many bytes this model holds, for caches bounded by size."""
        return 1024

    def explain(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Per-feature contributions for every row, as JSON-able data."""
        raise api.MlflowException(
            f"{type(self).__name__} has no explanation; deploy a reference:/linear or "
            "reference:/constant model to use explain().",
            api.NOT_IMPLEMENTED,
        )


def _column_names(frame: pd.DataFrame) -> list[str]:
    return [str(column) for column in frame.columns]


@dataclass(frozen=True)
class ConstantModel(Model):
    """Predicts ``value`` for every row."""

    value: float | str

    def predict(self, frame: pd.DataFrame, params: Params = None) -> np.ndarray | list[str]:
        if isinstance(self.value, str):
            return [self.value] * len(frame)
        return np.full(len(frame), self.value, dtype=np.float64)

    def explain(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Every feature contributes nothing; the constant is the base value."""
        width = len(frame.columns)
        return {
            "feature_names": _column_names(frame),
            "base_value": self.value,
            "contributions": [[0.0] * width for _ in range(len(frame))],
        }


def _is_numeric(dtype: Any) -> bool:
    # Signed, unsigned and floating kinds, numpy or nullable; bool and complex are not features.
    return getattr(dtype, "kind", "O") in "iuf"


@dataclass(frozen=True)
class LinearModel(Model):
    """Each row's numeric columns, in order, dotted with ``weights``, plus ``bias``."""

    weights: tuple[float, ...]
    bias: float = 0.0

    def _features(self, frame: pd.DataFrame) -> tuple[list[Any], np.ndarray]:
        numeric = [column for column, dtype in frame.dtypes.items() if _is_numeric(dtype)]
        if len(numeric) != len(self.weights):
            raise _invalid(
                f"This linear model has {len(self.weights)} weights, so it needs "
                f"{len(self.weights)} numeric columns; the input has {len(numeric)}: "
                f"{[str(column) for column in numeric]!r} (all columns: "
                f"{_column_names(frame)!r}). Send one numeric column per weight."
            )
        # All-numeric frames are used as they are, so no column selection copies them.
        features = frame if len(numeric) == len(frame.columns) else frame[numeric]
        has_nullable = any(not isinstance(dtype, np.dtype) for dtype in features.dtypes)
        # na_value forces a copy, so it is only passed when nullable columns may hold pd.NA.
        values = (
            features.to_numpy(dtype=np.float64, na_value=np.nan)
            if has_nullable
            else features.to_numpy(dtype=np.float64)
        )
        return numeric, values

    def footprint(self) -> int:
        # A float in a tuple costs its 24-byte object and an 8-byte slot.
        return 1024 + 32 * len(self.weights)

    def predict(self, frame: pd.DataFrame, params: Params = None) -> np.ndarray:
        _, values = self._features(frame)
        return values @ np.asarray(self.weights, dtype=np.float64) + self.bias

    def explain(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Each feature's contribution is its weight times its value; the bias is the base."""
        numeric, values = self._features(frame)
        return {
            "feature_names": [str(column) for column in numeric],
            "base_value": self.bias,
            "contributions": (values * np.asarray(self.weights, dtype=np.float64)).tolist(),
        }


@dataclass(frozen=True)
class EchoModel(Model):
    """Returns the input rows as records, so a caller can see what the model received."""

    def predict(self, frame: pd.DataFrame, params: Params = None) -> list[dict[Any, Any]]:
        _check_echo_columns(frame)
        return frame.to_dict(orient="records")


def _label_kind(label: Any) -> str:
    if isinstance(label, str):
        return "strings"
    if isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_)):
        return "integers"
    return type(label).__name__


def _check_echo_columns(frame: pd.DataFrame) -> None:
    """Refuse columns that records cannot keep apart: as dict keys, 'a' and 'a' (or 1 and
    True) are one key, and as JSON keys 1 and '1' are, so a value would silently vanish."""
    labels = list(frame.columns)
    kinds = sorted({_label_kind(label) for label in labels})
    if len(kinds) > 1:
        raise _invalid(
            f"The echo model returns records, so its column labels must all be strings or all "
            f"integers; these mix {' and '.join(kinds)}: {labels!r}. Name the columns alike."
        )
    if len({str(label) for label in labels}) != len(labels):
        repeated = sorted({str(label) for label in labels if labels.count(label) > 1})
        raise _invalid(
            f"The echo model returns records, so its column labels must be unique; "
            f"{repeated or labels!r} appear more than once. Give every column its own name."
        )


@dataclass(frozen=True)
class PyfuncModel(Model):
    """A model loaded by ``mlflow.pyfunc.load_model``."""

    loaded: Any

    def predict(self, frame: pd.DataFrame, params: Params = None) -> Any:
        # The model's code is not ours: a shallow copy (free under copy-on-write) keeps it from
        # adding columns to, or writing into, the caller's own frame.
        try:
            if params:
                return self.loaded.predict(frame.copy(deep=False), params=dict(params))
            return self.loaded.predict(frame.copy(deep=False))
        except api.MlflowException:
            raise
        except Exception as exc:
            raise _invalid(
                f"The model could not score these inputs: {type(exc).__name__}: {exc}"
            ) from exc


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _invalid(f"{what} must be a finite number; got {text!r}.")
    return value


def _constant(params: dict[str, str]) -> ConstantModel:
    if "value" not in params:
        raise _invalid("reference:/constant needs a value: write reference:/constant?value=1.5.")
    text = params["value"]
    try:
        number = float(text)
    except ValueError:
        return ConstantModel(text)
    return ConstantModel(number if math.isfinite(number) else text)


def _linear(params: dict[str, str]) -> LinearModel:
    if not params.get("weights", "").strip():
        raise _invalid(
            "reference:/linear needs weights: write reference:/linear?weights=0.5,2&bias=1."
        )
    parts = params["weights"].split(",")
    if len(parts) > MAX_LINEAR_WEIGHTS:
        raise _invalid(
            f"reference:/linear takes at most {MAX_LINEAR_WEIGHTS} weights; this URI has "
            f"{len(parts)}. Use fewer features."
        )
    weights = tuple(_number(part, "each weight") for part in parts)
    bias = _number(params["bias"], "bias") if "bias" in params else 0.0
    return LinearModel(weights, bias)


def _echo(params: dict[str, str]) -> EchoModel:
    return EchoModel()


@dataclass(frozen=True)
class ShapedModel(Model):
    """A linear model's scores (a constant's, without weights) in a pyfunc-like container."""

    output: str
    scorer: LinearModel | ConstantModel

    def predict(self, frame: pd.DataFrame, params: Params = None) -> Any:
        from conformance._models import SHAPED_OUTPUTS, requested_output, shaped

        # A request may ask for another container in an "output" column, as the kit does.
        numbers, output = requested_output(frame, self.output)
        if output not in SHAPED_OUTPUTS:
            raise _invalid(
                f"the output column asks for {output!r}; use one of "
                f"{', '.join(SHAPED_OUTPUTS)}, or leave the column out for {self.output!r}."
            )
        return shaped(self.scorer.predict(numbers), output)

    def explain(self, frame: pd.DataFrame) -> dict[str, Any]:
        from conformance._models import requested_output

        numbers, _ = requested_output(frame, self.output)
        return self.scorer.explain(numbers)


def _shaped(params: dict[str, str]) -> ShapedModel:
    from conformance._models import SHAPED_OUTPUTS

    output = params.get("output", "")
    if output not in SHAPED_OUTPUTS:
        raise _invalid(
            f"reference:/shaped needs output= one of {', '.join(SHAPED_OUTPUTS)}; got "
            f"{output!r}. Write reference:/shaped?output=frame&weights=2,-1&bias=0.5."
        )
    bias = _number(params["bias"], "bias") if "bias" in params else 0.0
    if "weights" in params:
        return ShapedModel(output, _linear(params))
    return ShapedModel(output, ConstantModel(bias))


# name -> (builder, accepted parameters)
REFERENCE_MODELS: dict[str, tuple[Callable[[dict[str, str]], Model], tuple[str, ...]]] = {
    "constant": (_constant, ("value",)),
    "linear": (_linear, ("weights", "bias")),
    "echo": (_echo, ()),
    "shaped": (_shaped, ("output", "weights", "bias")),
}

_REFERENCE_FORMS = (
    "reference:/constant?value=V, reference:/linear?weights=w1,w2,...&bias=b, reference:/echo, "
    "reference:/shaped?output=frame&weights=w1,w2,...&bias=b"
)


def _split(model_uri: str) -> urllib.parse.SplitResult | None:
    try:
        return urllib.parse.urlsplit(model_uri)
    except ValueError:  # such as an unclosed '[' where a host would be
        return None


def _load_reference(model_uri: str, parts: urllib.parse.SplitResult) -> Model:
    name = parts.path.lstrip("/") if not parts.netloc else ""
    if name not in REFERENCE_MODELS:
        raise _invalid(f"Unknown reference model {model_uri!r}. Valid ones: {_REFERENCE_FORMS}.")
    builder, accepted = REFERENCE_MODELS[name]
    try:
        pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        pairs = []
        if parts.query:
            raise _invalid(
                f"The query of {model_uri!r} is not key=value pairs joined by '&'."
            ) from None
    params: dict[str, str] = {}
    for key, value in pairs:
        if key not in accepted:
            raise _invalid(
                f"reference:/{name} does not take {key!r}; it takes "
                f"{', '.join(accepted) or 'no parameters'}. Valid models: {_REFERENCE_FORMS}."
            )
        if key in params:
            raise _invalid(f"{key!r} is given twice in {model_uri!r}; give it once.")
        params[key] = value
    return builder(params)


def _load_pyfunc(model_uri: str) -> Model:
    from conformance.api._mlflow import mlflow_available

    if not mlflow_available():
        raise _invalid(
            f"Loading {model_uri!r} needs MLflow, which is not installed. Install the extra "
            "(pip install 'mlflow-deployments-conformance[mlflow]'), or deploy a built-in "
            f"model: {_REFERENCE_FORMS}."
        )
    import mlflow.exceptions
    import mlflow.pyfunc

    try:
        return PyfuncModel(mlflow.pyfunc.load_model(model_uri))
    except Exception as exc:
        missing = isinstance(exc, FileNotFoundError) or (
            isinstance(exc, mlflow.exceptions.MlflowException)
            and exc.error_code == api.RESOURCE_DOES_NOT_EXIST.value
        )
        raise api.MlflowException(
            f"The model {model_uri!r} could not be loaded: {type(exc).__name__}: {exc}. "
            + (
                "Check that the model exists at that URI."
                if missing
                else "Pass the URI of an MLflow model (a directory holding an MLmodel file)."
            ),
            api.RESOURCE_DOES_NOT_EXIST if missing else api.INVALID_PARAMETER_VALUE,
        ) from exc


# Built-in models by URI, each kept only while something (a deployment) holds it.
_reference_models: weakref.WeakValueDictionary[str, Model] = weakref.WeakValueDictionary()
_reference_models_lock = threading.Lock()


def _reference_model(model_uri: str) -> Model | None:
    """The built-in model ``model_uri`` names, or None when it is not a ``reference:`` URI.

    Built-in models are immutable and stateless, so one instance serves every deployment of a
    URI, and a store of many deployments parses each URI once. The values are weak: once no
    deployment holds a model, it is freed, so deleted deployments leave no memory behind.
    """
    model = _reference_models.get(model_uri)
    if model is not None:
        return model
    parts = _split(model_uri)
    if parts is None or parts.scheme != REFERENCE_SCHEME:
        return None
    model = _load_reference(model_uri, parts)
    with _reference_models_lock:
        return _reference_models.setdefault(model_uri, model)


def load_model(model_uri: str, flavor: str | None = DEFAULT_FLAVOR) -> Model:
    """The model at ``model_uri``; an unknown or unloadable model raises ``MlflowException``."""
    validate_flavor(flavor)
    validate_model_uri(model_uri)
    model = _reference_model(model_uri)
    return model if model is not None else _load_pyfunc(model_uri)
