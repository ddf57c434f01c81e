"""The models a run deploys: given by the user, supplied by a hook, or the kit's defaults.

Model URIs are opaque strings to the kit. Only for its own default models does it know what
they predict, so only then can it check predictions exactly; otherwise it checks that the two
models predict differently where they should.
"""

from __future__ import annotations

import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["MEMORY_PRIMARY", "MEMORY_SECONDARY", "ModelPair", "default_models"]

# What the default models compute on each row (x1, x2) of the default input.
_WEIGHTS, _BIAS, _CONSTANT = (2.0, -1.0), 0.5, 7.0
MEMORY_PRIMARY = f"reference:/linear?weights={_WEIGHTS[0]:g},{_WEIGHTS[1]:g}&bias={_BIAS:g}"
MEMORY_SECONDARY = f"reference:/constant?value={_CONSTANT:g}"


def _linear(frame: Any) -> list[float]:
    return [float(_WEIGHTS[0] * a + _WEIGHTS[1] * b + _BIAS) for a, b in frame.to_numpy()]


def _constant(frame: Any) -> list[float]:
    return [_CONSTANT] * len(frame)


@dataclass(frozen=True)
class ModelPair:
    """The primary model, the model to update to, and what each predicts when that is known."""

    primary: str
    secondary: str | None
    source: str
    expectations: dict[str, Callable[[Any], list[Any]]] = field(default_factory=dict)

    def expected(self, model_uri: str, frame: Any, default_input: bool) -> list[Any] | None:
        """Exact expected predictions, when the model and the input are the kit's own."""
        predict = self.expectations.get(model_uri)
        return predict(frame) if predict is not None and default_input else None


_PYFUNC_SOURCE = """
    # A tiny deterministic model, saved by the conformance kit as MLflow "models from code".
    import mlflow.models
    import mlflow.pyfunc
    import numpy as np
    import pandas as pd


    class KitModel(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input: pd.DataFrame, params=None) -> list[float]:
            frame = pd.DataFrame(model_input)
            numbers = frame.select_dtypes("number").to_numpy(dtype=float)
            return {body}


    mlflow.models.set_model(KitModel())
"""


def _save_pyfunc(folder: Path, name: str, body: str) -> str:
    import mlflow.pyfunc

    code = folder / f"{name}_model.py"
    code.write_text(textwrap.dedent(_PYFUNC_SOURCE).replace("{body}", body))
    destination = folder / name
    mlflow.pyfunc.save_model(str(destination), python_model=str(code))
    return str(destination)


def default_models(target_name: str) -> ModelPair | None:
    """The kit's own models for this target, or None when it cannot make any."""
    if target_name == "memory":
        return ModelPair(
            MEMORY_PRIMARY,
            MEMORY_SECONDARY,
            "the reference target's built-in models",
            {MEMORY_PRIMARY: _linear, MEMORY_SECONDARY: _constant},
        )
    from conformance.api._mlflow import mlflow_available

    if not mlflow_available():
        return None
    folder = Path(tempfile.mkdtemp(prefix="conformance-models-"))
    linear = _save_pyfunc(
        folder,
        "linear",
        f"(numbers @ np.array([{_WEIGHTS[0]}, {_WEIGHTS[1]}]) + {_BIAS}).tolist()",
    )
    constant = _save_pyfunc(folder, "constant", f"[{_CONSTANT}] * len(frame)")
    return ModelPair(
        linear,
        constant,
        f"two pyfunc models saved by the kit under {folder}",
        {linear: _linear, constant: _constant},
    )
