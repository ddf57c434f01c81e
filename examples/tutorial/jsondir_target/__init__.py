"""The ``jsondir`` deployment target: each deployment is a JSON file in a folder.

Target URIs: ``jsondir`` keeps its files in ./jsondir-store; ``jsondir:/some/folder`` in that
folder. Models are loaded by ``reference_target.models``: ``reference:/...`` URIs, and MLflow
models when MLflow is installed.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

# Modules, not classes: MLflow's loader counts every client class among this module's members.
import conformance.api as api
import reference_target.models as models
import reference_target.server as server

DEFAULT_FOLDER = "jsondir-store"
DEFAULT_FLAVOR = "python_function"
# A letter or digit, then letters, digits, '.', '_' or '-': never '..', never a '/'.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def invalid(message: str) -> api.MlflowException:
    return api.MlflowException(message, api.INVALID_PARAMETER_VALUE)


def missing(kind: str, name: str) -> api.MlflowException:
    return api.MlflowException(f"No {kind} named {name!r}.", api.RESOURCE_DOES_NOT_EXIST)


def check_name(name: object, kind: str = "deployment") -> str:
    """``name`` unchanged when it is safe as a file name; otherwise raise."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise invalid(
            f"{name!r} is not a valid {kind} name: use 1 to 128 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )
    return name


def folder_of(target_uri: str) -> Path:
    """``jsondir`` means ./jsondir-store; ``jsondir:/path`` means /path."""
    _, _, path = target_uri.partition(":")
    return Path(path or DEFAULT_FOLDER)


def write_json(path: Path, record: dict[str, Any], *, new: bool) -> bool:
    """Write ``record`` atomically; with ``new``, only if ``path`` does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(record, stream)
        if new:
            os.link(temporary, path)  # fails when the name exists, even in a race
        else:
            os.replace(temporary, path)
    except FileExistsError:
        return False
    finally:
        Path(temporary).unlink(missing_ok=True)
    return True


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def as_frame(inputs: Any) -> pd.DataFrame:
    """The input as a DataFrame; a DataFrame is used as it is, and never modified."""
    return inputs if isinstance(inputs, pd.DataFrame) else pd.DataFrame(inputs)


def as_list(values: Any) -> Any:
    """numpy arrays as lists: MLflow's own PredictionsResponse cannot write numpy to JSON."""
    return values.tolist() if hasattr(values, "tolist") else values


class JsonDirClient(api.BaseDeploymentClient):
    """Deployments and endpoints as JSON files under the target's folder."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self.deployments = folder_of(target_uri) / "deployments"
        self.endpoints = folder_of(target_uri) / "endpoints"

    def _path(self, name: object) -> Path:
        return self.deployments / f"{check_name(name)}.json"

    def _record(self, name: object, endpoint: str | None = None) -> dict[str, Any]:
        record = read_json(self._path(name))
        if record is None or endpoint not in (None, record["endpoint"]):
            raise missing("deployment", str(name))
        return record

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        path = self._path(name)
        models.load_model(model_uri, flavor)  # a model that cannot load leaves nothing behind
        if endpoint is not None:
            self.get_endpoint(endpoint)
        record = {
            "name": name,
            "model_uri": model_uri,
            "flavor": flavor or DEFAULT_FLAVOR,
            "config": dict(config or {}),
            "endpoint": endpoint,
        }
        if not write_json(path, record, new=True):
            raise api.MlflowException(
                f"A deployment named {name!r} already exists.", api.RESOURCE_ALREADY_EXISTS
            )
        return record

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        records = [read_json(path) for path in sorted(self.deployments.glob("*.json"))]
        return [r for r in records if r is not None and endpoint in (None, r["endpoint"])]

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        return self._record(name, endpoint)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        record = read_json(self._path(name))
        if record is not None and endpoint in (None, record["endpoint"]):
            self._path(name).unlink(missing_ok=True)  # deleting twice is no error

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        if flavor is not None and model_uri is None:
            raise invalid("A flavor belongs to a model: pass model_uri together with flavor.")
        record = self._record(name, endpoint)
        if model_uri is not None:
            models.load_model(model_uri, flavor)  # check the new model before switching
            record.update(model_uri=model_uri, flavor=flavor or DEFAULT_FLAVOR)
        record["config"].update(config or {})
        write_json(self._path(name), record, new=False)
        return record  # MLflow documents None, but its CLI reads the flavor from this

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        record = self._record(deployment_name, endpoint)
        model = models.load_model(record["model_uri"], record["flavor"])
        predictions = model.predict(as_frame(inputs))
        return api.PredictionsResponse({"predictions": as_list(predictions)})

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        record = self._record(deployment_name, endpoint)
        return models.load_model(record["model_uri"], record["flavor"]).explain(as_frame(df))

    # -- endpoints: one JSON file each; deployments name theirs in "endpoint" -----------------

    def _endpoint_path(self, endpoint: object) -> Path:
        return self.endpoints / f"{check_name(endpoint, 'endpoint')}.json"

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        record = {"name": name, "config": dict(config or {})}
        if not write_json(self._endpoint_path(name), record, new=True):
            raise api.MlflowException(
                f"An endpoint named {name!r} already exists.", api.RESOURCE_ALREADY_EXISTS
            )
        return record

    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        record = read_json(self._endpoint_path(endpoint))
        if record is None:
            raise missing("endpoint", endpoint)
        return record

    def list_endpoints(self) -> list[dict[str, Any]]:
        records = [read_json(path) for path in sorted(self.endpoints.glob("*.json"))]
        return [r for r in records if r is not None]

    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        if config is not None and not isinstance(config, dict):
            raise invalid(f"An endpoint's config must be a dict; got {type(config).__name__}.")
        record = self.get_endpoint(endpoint)
        record["config"].update(config or {})
        write_json(self._endpoint_path(endpoint), record, new=False)

    def delete_endpoint(self, endpoint: str) -> None:
        held = [d["name"] for d in self.list_deployments(endpoint=endpoint)]
        if held:
            raise invalid(f"The endpoint {endpoint!r} still holds deployments {held}.")
        self._endpoint_path(endpoint).unlink(missing_ok=True)


def run_local(
    name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None
) -> None:
    """Serve the model on 127.0.0.1 with MLflow's scoring protocol until Ctrl+C.

    MLflow calls run_local(name, model_uri, flavor, config): no target argument comes first.
    """
    server.run_local(name, model_uri, flavor, config)


def target_help() -> str:
    return (
        "jsondir keeps each deployment as a JSON file.\n"
        "Target URIs: jsondir (the folder ./jsondir-store) or jsondir:/path/to/folder.\n"
        "Names: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit.\n"
        "Models: reference:/linear?weights=2,-1&bias=0.5, reference:/constant?value=7, and "
        "MLflow model URIs when MLflow is installed.\n"
        "Config: any JSON-able keys; they are stored with the deployment."
    )
