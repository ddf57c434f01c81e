"""The sample input passed to predict: the user's file, a hook's object, or the default frame.

An input file is read in one of three formats:

- ``dataframe``: a DataFrame, read the way ``mlflow deployments predict`` reads its input file
  (``pandas.read_json``; ``pandas.read_csv`` for a ``.csv`` file).
- ``json``: the parsed JSON value, whatever it is.
- ``auto`` (the default): a JSON object reaches predict as the dict it is; anything else is
  read as ``dataframe``. Targets that take dicts (chat messages, completions prompts,
  ``inputs``/``instances`` bodies, scoring-protocol keys) receive them that way from their
  users, while ``pandas.read_json`` would turn such an object into a frame nobody sends. Lists
  of records and CSV files are tables, and stay DataFrames as the CLI reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["INPUT_FORMATS", "InputError", "default_input", "read_input"]

INPUT_FORMATS = ("auto", "dataframe", "json")


class InputError(ValueError):
    """The input file is missing, unreadable or not in the format asked for; says what to do."""


def default_input() -> Any:
    """Three rows of two numeric columns: small, and enough to tell models apart."""
    import pandas as pd

    return pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.5, -1.0, 4.0]})


def read_input(path: str, input_format: str = "auto") -> Any:
    """The file at ``path`` as predict's input, read as ``input_format`` says (see the module)."""
    if input_format not in INPUT_FORMATS:
        raise InputError(
            f"--deployment-input-format: unknown format {input_format!r}; use one of "
            f"{', '.join(INPUT_FORMATS)}"
        )
    file = Path(path)
    if not file.is_file():
        raise InputError(f"--deployment-input: no file at {path}")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--deployment-input: cannot read {path}: {error}") from error
    if input_format == "dataframe" or (input_format == "auto" and _is_csv(file)):
        return _frame(file, text)
    value = _json(path, text)
    if input_format == "json" or isinstance(value, dict):
        return value
    return _frame(file, text)


def _is_csv(file: Path) -> bool:
    return file.suffix.lower() == ".csv"


def _json(path: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise InputError(
            f"--deployment-input: {path} is not valid JSON ({error}); a CSV file needs the "
            ".csv suffix"
        ) from None


def _frame(file: Path, text: str) -> Any:
    import io

    import pandas as pd

    try:
        if _is_csv(file):
            return pd.read_csv(io.StringIO(text))
        return pd.read_json(io.StringIO(text))
    except ValueError as error:
        raise InputError(
            f"--deployment-input: pandas cannot read {file} as a DataFrame ({error}); pass "
            "--deployment-input-format=json to hand predict the parsed JSON as it is"
        ) from None
