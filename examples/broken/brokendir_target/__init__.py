"""The ``brokendir`` deployment target: a JSON-file target with mistakes real plugins make.

It works when used carefully, and the kit still finds five clauses it breaks. Each mistake is
marked ``MISTAKE`` below; ``REPORT.md`` beside this package is the kit's certificate for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

import conformance.api as api
import reference_target.models as models


class BrokenDirClient(api.BaseDeploymentClient):
    """Deployments as JSON files in ./brokendir-store (or the folder after ``brokendir:``)."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        _, _, folder = target_uri.partition(":")
        self.folder = Path(folder or "brokendir-store")
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        # MISTAKE: the name becomes a file path unchecked, so "../x" lands outside the folder.
        return self.folder / f"{name}.json"

    def _read(self, name: str) -> dict[str, Any]:
        path = self._path(name)
        if not path.exists():
            # MISTAKE: a KeyError, where callers catch MlflowException.
            raise KeyError(name)
        return json.loads(path.read_text())

    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        models.load_model(model_uri, flavor)
        if self._path(name).exists():
            raise api.MlflowException(f"{name} exists", api.RESOURCE_ALREADY_EXISTS)
        # MISTAKE: config is optional, and config.get fails when it is None.
        record = {"name": name, "model_uri": model_uri, "replicas": config.get("replicas", 1)}
        try:  # "x" refuses an existing file, so two racing creates cannot both win
            with self._path(name).open("x") as stream:
                stream.write(json.dumps(record))
        except FileExistsError:
            raise api.MlflowException(f"{name} exists", api.RESOURCE_ALREADY_EXISTS) from None
        # MISTAKE (SHOULD): no "flavor" key, so `mlflow deployments create` cannot print it.
        return record

    def get_deployment(self, name, endpoint=None):
        return self._read(name)

    def list_deployments(self, endpoint=None):
        return [json.loads(path.read_text()) for path in sorted(self.folder.glob("*.json"))]

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        if flavor is not None and model_uri is None:
            raise api.MlflowException("flavor needs model_uri", api.INVALID_PARAMETER_VALUE)
        record = self._read(name)
        if model_uri is not None:
            models.load_model(model_uri, flavor)
            record["model_uri"] = model_uri
        self._path(name).write_text(json.dumps(record))
        # MISTAKE (SHOULD): MLflow documents None here, but its CLI reads ret["flavor"].

    def delete_deployment(self, name, config=None, endpoint=None):
        # MISTAKE: deleting a missing name raises FileNotFoundError; retries and cleanups fail.
        self._path(name).unlink()

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        model = models.load_model(self._read(deployment_name)["model_uri"])
        predictions = model.predict(pd.DataFrame(inputs))
        return api.PredictionsResponse({"predictions": predictions.tolist()})


# MISTAKE: the signature MLflow documents; MLflow calls run_local(name, model_uri, flavor,
# config), so every argument would arrive one place late.
def run_local(target, name, model_uri, flavor=None, config=None):
    raise api.MlflowException("brokendir has no local server", api.NOT_IMPLEMENTED)


def target_help():
    return "brokendir keeps deployments as JSON files in ./brokendir-store."
