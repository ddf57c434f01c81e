"""MLflow's own API, CLI and pyfunc models, driving the memory target."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytestmark = pytest.mark.mlflow

pytest.importorskip("mlflow")

import mlflow.deployments  # noqa: E402
import mlflow.exceptions  # noqa: E402
import mlflow.pyfunc  # noqa: E402

from reference_target import MemoryDeploymentClient, target_help  # noqa: E402

CONSTANT_URI = "reference:/constant?value=7"
LINEAR_URI = "reference:/linear?weights=1,2"
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}

# Models from code: MLflow saves the file itself, so nothing is pickled.
DOUBLER = """
import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel


class Doubler(PythonModel):
    def predict(self, context, model_input: pd.DataFrame, params=None):
        return model_input["x"] * 2


mlflow.models.set_model(Doubler())
"""
SCRIBBLER = """
import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel


class Scribbler(PythonModel):
    # Writes into the frame it is given: the caller's own data must not change.
    def predict(self, context, model_input: pd.DataFrame, params=None):
        model_input["x"] = 0
        model_input["added"] = 1
        return model_input["x"].tolist()


mlflow.models.set_model(Scribbler())
"""


def mlflow_error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        call()
    return caught.value.error_code


def save_model(directory: Path, name: str, code: str) -> str:
    source = directory / f"{name}.py"
    source.write_text(textwrap.dedent(code))
    path = directory / name
    mlflow.pyfunc.save_model(path=str(path), python_model=str(source), pip_requirements=[])
    return str(path)


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("models")
    return {
        "doubler": save_model(directory, "doubler", DOUBLER),
        "scribbler": save_model(directory, "scribbler", SCRIBBLER),
    }


def test_mlflow_loads_the_memory_client(target_uri: str) -> None:
    client = mlflow.deployments.get_deploy_client(target_uri)
    assert type(client) is MemoryDeploymentClient
    assert isinstance(client, mlflow.deployments.BaseDeploymentClient)


def test_the_whole_lifecycle_through_mlflow(target_uri: str) -> None:
    client = mlflow.deployments.get_deploy_client(target_uri)

    created = client.create_deployment("model", LINEAR_URI, config={"owner": "me"})
    assert (created["name"], created["flavor"]) == ("model", "python_function")
    response = client.predict("model", pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 4.0]}))
    assert isinstance(response, mlflow.deployments.PredictionsResponse)
    assert response.get_predictions()[0].tolist() == [5.0, 11.0]
    assert response.get_predictions("ndarray").tolist() == [5.0, 11.0]

    conflict = lambda: client.create_deployment("model", CONSTANT_URI)  # noqa: E731
    assert mlflow_error_code(conflict) == "RESOURCE_ALREADY_EXISTS"
    assert client.predict("model", [[1, 2]])["predictions"].tolist() == [5.0]

    updated = client.update_deployment("model", CONSTANT_URI)
    assert (updated["name"], updated["flavor"]) == ("model", "python_function")
    assert client.predict("model", [[1, 2]])["predictions"].tolist() == [7.0]
    only_flavor = lambda: client.update_deployment("model", flavor="python_function")  # noqa: E731
    assert mlflow_error_code(only_flavor) == "INVALID_PARAMETER_VALUE"

    assert mlflow_error_code(lambda: client.get_deployment("missing")) == "RESOURCE_DOES_NOT_EXIST"
    bad_name = lambda: client.create_deployment("bad\nname", CONSTANT_URI)  # noqa: E731
    assert mlflow_error_code(bad_name) == "INVALID_PARAMETER_VALUE"
    bad_model = lambda: client.create_deployment("other", "reference:/nosuch")  # noqa: E731
    assert mlflow_error_code(bad_model) == "INVALID_PARAMETER_VALUE"
    assert [d["name"] for d in client.list_deployments()] == ["model"]

    client.delete_deployment("model")
    client.delete_deployment("model")
    assert client.list_deployments() == []


def test_endpoints_through_mlflow(target_uri: str) -> None:
    client = mlflow.deployments.get_deploy_client(target_uri)
    assert client.create_endpoint("endpoint", config={"a": 1})["name"] == "endpoint"
    again = lambda: client.create_endpoint("endpoint")  # noqa: E731
    assert mlflow_error_code(again) == "RESOURCE_ALREADY_EXISTS"
    assert client.get_endpoint("endpoint") == {"name": "endpoint", "config": {"a": 1}}
    assert client.update_endpoint("endpoint", config={"b": 2})["config"] == {"a": 1, "b": 2}
    assert [e["name"] for e in client.list_endpoints()] == ["endpoint"]
    client.create_deployment("inside", CONSTANT_URI, endpoint="endpoint")
    assert (
        mlflow_error_code(lambda: client.delete_endpoint("endpoint")) == "INVALID_PARAMETER_VALUE"
    )
    client.delete_deployment("inside", endpoint="endpoint")
    client.delete_endpoint("endpoint")
    client.delete_endpoint("endpoint")
    missing = lambda: client.get_endpoint("endpoint")  # noqa: E731
    assert mlflow_error_code(missing) == "RESOURCE_DOES_NOT_EXIST"


def test_a_saved_pyfunc_model_deploys_and_predicts(
    client: MemoryDeploymentClient, saved_models: dict[str, str]
) -> None:
    created = client.create_deployment("doubler", saved_models["doubler"])
    assert created["model_uri"] == saved_models["doubler"]
    frame = pd.DataFrame({"x": [1, 2, 3]})
    assert list(client.predict("doubler", frame)["predictions"]) == [2, 4, 6]
    assert client.predict("doubler", {"x": [5]}).to_json() == '{"predictions":[10]}'
    file_uri = Path(saved_models["doubler"]).as_uri()
    client.update_deployment("doubler", file_uri)
    assert list(client.predict("doubler", {"inputs": {"x": [4]}})["predictions"]) == [8]


def test_a_pyfunc_model_cannot_change_the_callers_inputs(
    client: MemoryDeploymentClient, saved_models: dict[str, str]
) -> None:
    client.create_deployment("scribbler", saved_models["scribbler"])
    frame = pd.DataFrame({"x": [1, 2]})
    columns = {"x": [1, 2]}
    assert client.predict("scribbler", frame)["predictions"] == [0, 0]
    client.predict("scribbler", columns)
    assert frame.columns.tolist() == ["x"]
    assert frame["x"].tolist() == [1, 2]
    assert columns == {"x": [1, 2]}


@pytest.mark.parametrize(
    ("model_uri", "code"),
    [
        ("/no/such/model/directory", "RESOURCE_DOES_NOT_EXIST"),
        ("nosuchscheme://x", "INVALID_PARAMETER_VALUE"),
    ],
)
def test_unloadable_models_raise_mlflow_exceptions_with_the_cause(
    client: MemoryDeploymentClient, model_uri: str, code: str
) -> None:
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        client.create_deployment("model", model_uri)
    assert caught.value.error_code == code
    assert caught.value.__cause__ is not None
    assert client.list_deployments() == []


def test_a_directory_without_a_model_is_refused(
    client: MemoryDeploymentClient, tmp_path: Path
) -> None:
    with pytest.raises(mlflow.exceptions.MlflowException):
        client.create_deployment("model", str(tmp_path))
    assert client.list_deployments() == []


def test_mlflow_run_local_passes_name_model_flavor_config(monkeypatch: pytest.MonkeyPatch) -> None:
    import reference_target

    received: list[tuple[Any, ...]] = []
    monkeypatch.setattr(reference_target, "run_local", lambda *args: received.append(args))
    mlflow.deployments.run_local("memory", "demo", CONSTANT_URI, None, {"port": "0"})
    assert received == [("demo", CONSTANT_URI, None, {"port": "0"})]


CLI_RUNS = {
    "help": ("deployments", "help", "-t", "memory"),
    "create": ("deployments", "create", "-t", "memory", "--name", "cli", "-m", CONSTANT_URI),
}


@pytest.fixture(scope="module")
def cli_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """Each CLI run's exit code, stdout and stderr; the runs start together to save time."""
    executable = Path(sys.executable).parent / "mlflow"
    cwd = tmp_path_factory.mktemp("cli")
    processes = {
        name: subprocess.Popen(
            [str(executable), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
            cwd=cwd,
        )
        for name, args in CLI_RUNS.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        results[name] = (process.returncode, stdout, stderr)
    return results


def test_mlflow_deployments_help_prints_the_target_help(
    cli_output: dict[str, tuple[int, str, str]],
) -> None:
    returncode, stdout, stderr = cli_output["help"]
    assert returncode == 0, stderr
    assert target_help().strip() in stdout


def test_mlflow_deployments_create_reads_what_create_returns(
    cli_output: dict[str, tuple[int, str, str]],
) -> None:
    # The CLI prints the returned flavor and name; a dict without them would crash it.
    returncode, stdout, stderr = cli_output["create"]
    assert returncode == 0, stderr
    assert "python_function" in stdout
    assert "cli" in stdout


@pytest.mark.parametrize(
    "target_uri",
    [f"memory:///tmp/{'x' * 300}.db", "memory:///tmp/%ED%A0%80.db", "memory:/x?latency=1e308"],
    ids=["path too long", "escape not UTF-8", "latency too long"],
)
def test_bad_target_uris_are_mlflow_exceptions_through_mlflow(target_uri: str) -> None:
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        mlflow.deployments.get_deploy_client(target_uri)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
