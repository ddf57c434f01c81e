"""The sample input passed to predict: the user's file, a hook's object, or the default frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["default_input", "read_input"]


def default_input() -> Any:
    """Three rows of two numeric columns: small, and enough to tell models apart."""
    import pandas as pd

    return pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.5, -1.0, 4.0]})


def read_input(path: str) -> Any:
    """A JSON or CSV file as a DataFrame, read the way ``mlflow deployments predict`` reads it."""
    import pandas as pd

    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"--deployment-input: no file at {path}")
    if file.suffix.lower() == ".csv":
        return pd.read_csv(file)
    return pd.read_json(file)
