"""Fixtures for the deployments API's tests: MLflow when it is installed, skipped otherwise."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


@pytest.fixture
def mlflow() -> ModuleType:
    """MLflow with its deployments and exceptions modules loaded; the test skips without it."""
    module = pytest.importorskip("mlflow")
    # Loaded here so that tests can reach them as attributes of the returned module.
    importlib.import_module("mlflow.deployments")
    importlib.import_module("mlflow.exceptions")
    return module
