"""The ``jsondir`` deployment target, step 1: create, list and delete deployments.

Each deployment is a JSON file in a folder. Target URIs: ``jsondir`` keeps its files in
./jsondir-store; ``jsondir:/some/folder`` in that folder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

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


class JsonDirClient(api.BaseDeploymentClient):
    """Deployments as JSON files under the target's folder."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self.deployments = folder_of(target_uri) / "deployments"

    def _path(self, name: object) -> Path:
        return self.deployments / f"{check_name(name)}.json"

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

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        self._path(name).unlink(missing_ok=True)  # deleting twice is no error

    # Not written yet: the kit reports every clause these break.
    def get_deployment(self, name, endpoint=None):
        raise NotImplementedError

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        raise NotImplementedError

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        raise NotImplementedError


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
