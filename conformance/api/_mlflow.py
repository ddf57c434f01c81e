"""The one place that knows whether MLflow is importable.

Everything MLflow-aware asks this module, so that a run without MLflow never tries to import it
twice and a run with MLflow gets the very same classes everywhere.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from types import ModuleType
from typing import Any

__all__ = ["mlflow_available", "mlflow_deployments", "mlflow_error_code_value", "mlflow_exceptions"]

# MLflow 3 reports usage to an outside host unless told not to; the kit must never reach out.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")


@cache
def mlflow_available() -> bool:
    """True when ``mlflow`` (full or skinny) can be imported, without importing it."""
    return importlib.util.find_spec("mlflow") is not None


@cache
def mlflow_exceptions() -> ModuleType | None:
    """``mlflow.exceptions``, or None without MLflow."""
    if not mlflow_available():
        return None
    import mlflow.exceptions

    return mlflow.exceptions


@cache
def mlflow_deployments() -> ModuleType | None:
    """``mlflow.deployments``, or None without MLflow."""
    if not mlflow_available():
        return None
    import mlflow.deployments

    return mlflow.deployments


def mlflow_error_code_value(name: str) -> Any:
    """MLflow's numeric protobuf value for an error-code name."""
    from mlflow.protos.databricks_pb2 import ErrorCode

    return ErrorCode.Value(name)
