"""The models a run deploys: given by the user, supplied by a hook, or the kit's defaults.

Model URIs are opaque strings to the kit. Only for its own default models does it know what
they predict, so only then can it check predictions exactly; otherwise it checks that the two
models predict differently where they should.

The default models return what real pyfunc models return, not plain lists: the primary a
pandas DataFrame with float64, float32 and int64 columns and a column of 1-D numpy arrays (as
embedding models return), the secondary a 2-D numpy array (as ``predict_proba`` returns). A
request may name another container in an ``output`` column (see :data:`OUTPUT_COLUMN`): the
kit asks the primary model, on the one shared deployment, for each of the others in turn (a
1-D array, a list of numpy scalars, a pandas Series, a 2-D array), so every path a plugin takes
to JSON is walked without deploying a model per container. A plugin that hands such output to a
``PredictionsResponse`` without making it JSON-able then fails the predictions checks here,
rather than ``mlflow deployments predict`` failing later.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "CONTAINERS",
    "MEMORY_PRIMARY",
    "MEMORY_SECONDARY",
    "OUTPUT_COLUMN",
    "PRIMARY_OUTPUT",
    "SECONDARY_OUTPUT",
    "SHAPED_OUTPUTS",
    "ModelPair",
    "default_models",
    "models_cache_folder",
    "requested_output",
    "shaped",
]

# What the default models compute on each row (x1, x2) of the default input, and the container
# each returns it in (see shaped()).
_WEIGHTS, _BIAS, _CONSTANT = (2.0, -1.0), 0.5, 7.0
PRIMARY_OUTPUT, SECONDARY_OUTPUT = "frame", "matrix"
# The column a request names another container in; the kit's default models read it.
OUTPUT_COLUMN = "output"
# Each container shaped() returns, in the words a failure message uses.
CONTAINERS = {
    "array": "a 1-D numpy array",
    "matrix": "a 2-D numpy array",
    "scalars": "a list of numpy int64 and float32 scalars",
    "series": "a pandas Series",
    "frame": "a pandas DataFrame",
}
SHAPED_OUTPUTS = tuple(CONTAINERS)
MEMORY_PRIMARY = (
    f"reference:/shaped?output={PRIMARY_OUTPUT}"
    f"&weights={_WEIGHTS[0]:g},{_WEIGHTS[1]:g}&bias={_BIAS:g}"
)
MEMORY_SECONDARY = f"reference:/shaped?output={SECONDARY_OUTPUT}&bias={_CONSTANT:g}"


# Asked of the primary model after its own frame; the secondary's matrix is asked of it too, so
# that one deployment shows every container before any update.
_OTHER_CONTAINERS = tuple(output for output in SHAPED_OUTPUTS if output != PRIMARY_OUTPUT)


def shaped(scores: Any, output: str) -> Any:
    """One score per row, returned in a container real pyfunc models return.

    ``array``: a 1-D float64 array. ``matrix``: a 2-D array, each row (score, -score).
    ``scalars``: a list of numpy scalars, int64 for whole scores and float32 otherwise.
    ``series``: a float64 Series named "prediction". ``frame``: a DataFrame with columns
    prediction (float64), score (float32), positive (int64: 1 when the score is above 0) and
    embedding (a 1-D float64 array per row: score, -score).

    The pyfunc default models embed this function's source, so it imports what it needs.
    """
    import numpy as np
    import pandas as pd

    values = np.asarray(scores, dtype=np.float64)
    if output == "array":
        return values
    if output == "matrix":
        return np.column_stack([values, -values])
    if output == "scalars":
        return [np.int64(v) if float(v).is_integer() else np.float32(v) for v in values]
    if output == "series":
        return pd.Series(values, name="prediction")
    if output == "frame":
        return pd.DataFrame(
            {
                "prediction": values,
                "score": values.astype(np.float32),
                "positive": (values > 0).astype(np.int64),
                "embedding": [np.array([v, -v]) for v in values],
            }
        )
    raise ValueError(f"unknown output {output!r}: use one of array, matrix, scalars, series, frame")


def requested_output(frame: Any, default: str) -> tuple[Any, str]:
    """The request without its ``output`` column, and the container that column names.

    A request without the column (or without rows) gets the model's own container. The pyfunc
    default models embed this function's source, so it imports nothing.
    """
    column = "output"  # OUTPUT_COLUMN, spelled out for the embedded copy
    if column not in frame.columns:
        return frame, default
    asked = frame[column]
    return frame.drop(columns=[column]), (str(asked.iloc[0]) if len(asked) else default)


def _linear_scores(frame: Any) -> Any:
    import numpy as np

    return frame.to_numpy(dtype=float) @ np.array(_WEIGHTS) + _BIAS


def _plain(value: Any) -> Any:
    import json

    from conformance.api._predictions import to_jsonable_bytes

    return json.loads(to_jsonable_bytes(value))


def _expect_primary(frame: Any) -> Any:
    numbers, output = requested_output(frame, PRIMARY_OUTPUT)
    return _plain(shaped(_linear_scores(numbers), output))


def _expect_secondary(frame: Any) -> Any:
    _, output = requested_output(frame, SECONDARY_OUTPUT)
    return _plain(shaped([_CONSTANT] * len(frame), output))


@dataclass(frozen=True)
class ModelPair:
    """The primary model, the model to update to, and what each predicts when that is known."""

    primary: str
    secondary: str | None
    source: str
    expectations: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # The containers the primary model can be asked for besides its own (the kit's models only).
    other_containers: tuple[str, ...] = ()

    def expected(self, model_uri: str, frame: Any, default_input: bool) -> Any | None:
        """Exact expected predictions, when the model and the input are the kit's own."""
        predict = self.expectations.get(model_uri)
        return predict(frame) if predict is not None and default_input else None

    def container_requests(self, frame: Any, default_input: bool) -> list[tuple[str, Any]]:
        """The sample input once per other container, asking the primary model for it.

        Empty unless both the models and the input are the kit's own: a user's model knows no
        ``output`` column, and a user's input may hold one of its own.
        """
        if not default_input:
            return []
        return [
            (container, frame.assign(**{OUTPUT_COLUMN: container}))
            for container in self.other_containers
        ]


_PYFUNC_SOURCE = """
# A tiny deterministic model, saved by the conformance kit as MLflow "models from code".
from __future__ import annotations

from typing import Any

import mlflow.models
import mlflow.pyfunc
import numpy as np
import pandas as pd

{shaped}

{requested_output}

class KitModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        frame, output = requested_output(pd.DataFrame(model_input), {output!r})
        numbers = frame.select_dtypes("number").to_numpy(dtype=float)
        return shaped({scores}, output)


mlflow.models.set_model(KitModel())
"""

_PYFUNC_MODELS = {
    "primary": (f"numbers @ np.array([{_WEIGHTS[0]}, {_WEIGHTS[1]}]) + {_BIAS}", PRIMARY_OUTPUT),
    "secondary": (f"[{_CONSTANT}] * len(frame)", SECONDARY_OUTPUT),
}


def _sources() -> dict[str, str]:
    function = textwrap.dedent(inspect.getsource(shaped))
    request = textwrap.dedent(inspect.getsource(requested_output))
    return {
        name: _PYFUNC_SOURCE.format(
            shaped=function, requested_output=request, scores=scores, output=output
        )
        for name, (scores, output) in _PYFUNC_MODELS.items()
    }


def models_cache_folder() -> Path:
    """Where the default pyfunc models of this kit version and this MLflow are kept."""
    import mlflow

    from conformance import __version__
    from conformance._folders import user_cache_folder

    digest = hashlib.sha256("".join(_sources().values()).encode()).hexdigest()[:12]
    return user_cache_folder() / "models" / f"{__version__}-mlflow{mlflow.__version__}-{digest}"


def _complete(folder: Path) -> bool:
    return all((folder / name / "MLmodel").is_file() for name in _PYFUNC_MODELS)


def _save_default_models(folder: Path) -> None:
    """Save the models into ``folder``, atomically: it appears whole or not at all, so runs
    started together neither see half a model nor overwrite each other's."""
    import mlflow.pyfunc

    folder.parent.mkdir(parents=True, exist_ok=True)
    # Staged next to its final place (never the system temp folder), then renamed in one step.
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, source in _sources().items():
            code = staging / f"{name}_model.py"
            code.write_text(source)
            mlflow.pyfunc.save_model(str(staging / name), python_model=str(code))
            code.unlink()
        try:
            os.rename(staging, folder)
        except OSError:
            if not _complete(folder):  # not another run's finished copy: something else
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def default_models(target_name: str) -> ModelPair | None:
    """The kit's own models for this target, or None when it cannot make any."""
    if target_name == "memory":
        return ModelPair(
            MEMORY_PRIMARY,
            MEMORY_SECONDARY,
            "the reference target's built-in models",
            {MEMORY_PRIMARY: _expect_primary, MEMORY_SECONDARY: _expect_secondary},
            _OTHER_CONTAINERS,
        )
    from conformance.api._mlflow import mlflow_available

    if not mlflow_available():
        return None
    folder = models_cache_folder()
    if not _complete(folder):
        _save_default_models(folder)
    primary, secondary = (str(folder / name) for name in _PYFUNC_MODELS)
    return ModelPair(
        primary,
        secondary,
        f"two pyfunc models the kit saved once in {folder}",
        {primary: _expect_primary, secondary: _expect_secondary},
        _OTHER_CONTAINERS,
    )
