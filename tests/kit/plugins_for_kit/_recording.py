"""The shared machinery of the recording plugins: a memory-backed client that logs its calls.

This module is never a plugin itself. Plugin modules subclass its classes through the module
(``rec.RecordingCore``), because MLflow's loader counts every client class among a plugin
module's members, imported ones included.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import conformance.api as api
from reference_target import client as memory_client

LOG_ENV = "KIT_RECORDING_LOG"


def record(op: str, **fields: Any) -> None:
    """Append one call to the log, with the check that was running when it happened."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    current = os.environ.get("PYTEST_CURRENT_TEST")
    entry = {
        "op": op,
        **fields,
        # None once no item runs: the kit's teardown at the end of the session.
        "test": current.split(" ")[0] if current else None,
        "worker": os.environ.get("PYTEST_XDIST_WORKER"),
        "pid": os.getpid(),
    }
    line = json.dumps(entry, default=repr) + "\n"
    # One write per line, appended, so lines from xdist workers do not interleave.
    with Path(path).open("a") as log:
        log.write(line)


def _logged(op: str, name: Any, call: Callable[[], Any], **fields: Any) -> Any:
    try:
        result = call()
    except BaseException as error:
        record(op, name=name, ok=False, error=type(error).__name__, **fields)
        raise
    record(op, name=name, ok=True, **fields)
    return result


def _columns(inputs: Any) -> Any:
    columns = getattr(inputs, "columns", None)
    return [str(c) for c in columns] if columns is not None else type(inputs).__name__


class RecordingCore(api.BaseDeploymentClient):
    """The core deployment methods, kept in memory namespace ``<path of the target URI>``."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        namespace = urllib.parse.urlsplit(target_uri).path.strip("/") or "default"
        self.memory = memory_client.MemoryDeploymentClient(f"memory:/{namespace}")

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        return _logged(
            "create_deployment",
            name,
            lambda: self.memory.create_deployment(name, model_uri, flavor, config, endpoint),
            model_uri=model_uri,
            config=config,
            endpoint=endpoint,
        )

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        return _logged(
            "update_deployment",
            name,
            lambda: self.memory.update_deployment(name, model_uri, flavor, config, endpoint),
            model_uri=model_uri,
        )

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        return _logged(
            "delete_deployment",
            name,
            lambda: self.memory.delete_deployment(name, config, endpoint),
            endpoint=endpoint,
        )

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        return self.memory.list_deployments(endpoint)

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        return self.memory.get_deployment(name, endpoint)

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        return _logged(
            "predict",
            deployment_name,
            lambda: self.memory.predict(deployment_name, inputs, endpoint),
            columns=_columns(inputs),
        )


class OptionalMethods:
    """explain and predict_stream, delegated to the memory target."""

    memory: Any

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        return self.memory.explain(deployment_name, df, endpoint)

    def predict_stream(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Iterator[dict[str, Any]]:
        return self.memory.predict_stream(deployment_name, inputs, endpoint)


class EndpointMethods:
    """The endpoint methods, delegated to the memory target and logged."""

    memory: Any

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        return _logged("create_endpoint", name, lambda: self.memory.create_endpoint(name, config))

    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> Any:
        return self.memory.update_endpoint(endpoint, config)

    def delete_endpoint(self, endpoint: str) -> None:
        return _logged("delete_endpoint", endpoint, lambda: self.memory.delete_endpoint(endpoint))

    def list_endpoints(self) -> list[dict[str, Any]]:
        return self.memory.list_endpoints()

    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        return self.memory.get_endpoint(endpoint)


def run_local(
    name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None
) -> None:
    """MLflow's real calling convention; serving locally is not what these plugins test."""
    raise NotImplementedError("the recording plugins do not serve models locally")


def target_help() -> str:
    return "A test plugin: '<name>:/<memory namespace>'; it logs calls to $KIT_RECORDING_LOG."
