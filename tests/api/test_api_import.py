"""Importing ``conformance.api``: no MLflow unless installed, and a working standalone mode."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from conformance.api._mlflow import mlflow_available

# Imported lazily by the package, so that ``import conformance.api`` stays cheap.
HEAVY = ("mlflow", "pandas", "numpy")


def run_python(code: str) -> Any:
    """Run ``code`` in a fresh interpreter of this venv; return the JSON it prints last."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(mlflow_available(), reason="MLflow is installed here; the API is built on it")
def test_importing_the_api_imports_no_mlflow_pandas_or_numpy() -> None:
    loaded = run_python(
        """
        import json, sys
        import conformance.api
        print(json.dumps(sorted(sys.modules)))
        """
    )
    assert "conformance.api" in loaded
    for heavy in HEAVY:
        assert [name for name in loaded if name.split(".")[0] == heavy] == []


def test_standalone_mode_when_mlflow_cannot_be_imported() -> None:
    # Blocking the import makes this run the standalone classes in either venv.
    result = run_python(
        """
        import abc, json, sys
        sys.modules["mlflow"] = None
        import conformance.api as api

        client = api.get_deploy_client("memory:/standalone")
        response = api.PredictionsResponse.from_json('{"predictions": [1, NaN]}')
        error = api.MlflowException("gone", api.RESOURCE_DOES_NOT_EXIST)
        print(json.dumps({
            "exception_bases": [c.__name__ for c in api.MlflowException.__bases__],
            "response_bases": [c.__name__ for c in api.PredictionsResponse.__bases__],
            "client_abstract": api.BaseDeploymentClient.__bases__ == (abc.ABC,),
            "client": type(client).__name__,
            "json": response.to_json(),
            "error": json.loads(error.serialize_as_json()),
            "mlflow_modules": [m for m in sys.modules if m.startswith("mlflow.")],
        }))
        """
    )
    assert result == {
        "exception_bases": ["Exception"],
        "response_bases": ["dict"],
        "client_abstract": True,
        "client": "MemoryDeploymentClient",
        "json": '{"predictions":[1,null]}',
        "error": {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "gone"},
        "mlflow_modules": [],
    }
