"""A small, complete and correct deployment plugin: every check of the kit passes against it.

It doubles as an example of what a plugin needs:

- exactly one subclass of ``BaseDeploymentClient`` among the module's members (so the API is
  imported as a module, never ``from conformance.api import BaseDeploymentClient``);
- module-level ``run_local(name, model_uri, flavor, config)`` and ``target_help()``;
- state that belongs to the target, not to a client: one store per target URI, shared by every
  client of that URI and guarded by a lock;
- ``MlflowException`` with the code that names the problem, raised before anything changes.

Deployments serve the reference target's built-in models (``reference:/linear?...``,
``reference:/constant?...``), loaded through :mod:`reference_target.models`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# Modules, not classes: MLflow counts every client class among a plugin module's members.
import conformance.api as api
import reference_target.models as models

DEFAULT_FLAVOR = "python_function"
MAX_NAME_LENGTH = 256
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def invalid(message: str) -> api.MlflowException:
    return api.MlflowException(message, api.INVALID_PARAMETER_VALUE)


def missing(kind: str, name: str) -> api.MlflowException:
    return api.MlflowException(f"No {kind} named {name!r}.", api.RESOURCE_DOES_NOT_EXIST)


def check_name(name: object, kind: str = "deployment") -> str:
    """``name`` unchanged when it is 1 to 256 characters without control characters."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_LENGTH:
        raise invalid(f"A {kind} name must be a str of 1 to {MAX_NAME_LENGTH} characters.")
    if _CONTROL.search(name):
        raise invalid(f"The {kind} name {name!r} holds a control character.")
    return name


def check_model_uri(model_uri: object) -> str:
    if not isinstance(model_uri, str) or not model_uri:
        raise invalid(f"model_uri must be a non-empty str; got {model_uri!r}.")
    return model_uri


def as_frame(inputs: Any) -> pd.DataFrame:
    """The input as a DataFrame; a DataFrame is used as it is (and never modified)."""
    return inputs if isinstance(inputs, pd.DataFrame) else pd.DataFrame(inputs)


def as_json_list(predictions: Any) -> Any:
    """numpy results as plain lists, so the response holds JSON values only."""
    return predictions.tolist() if hasattr(predictions, "tolist") else predictions


@dataclass
class Store:
    """What one target holds. Every read and write happens under ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    served: dict[str, models.Model] = field(default_factory=dict)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def store_for(target_uri: str) -> Store:
    """The store of ``target_uri``: every client of one URI sees the same deployments."""
    with _STORES_LOCK:
        return _STORES.setdefault(target_uri, Store())


def new_record(
    name: str,
    model_uri: str,
    flavor: str | None,
    config: dict[str, Any] | None,
    endpoint: str | None,
) -> dict[str, Any]:
    """What the target knows of a deployment: JSON values only, so callers can print it."""
    return {
        "name": name,
        "model_uri": model_uri,
        "flavor": flavor or DEFAULT_FLAVOR,
        "config": dict(config or {}),
        "endpoint": endpoint,
    }


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A copy the caller may change without changing the store."""
    return {**record, "config": dict(record["config"])}


class Client(api.BaseDeploymentClient):
    """Deployments and endpoints kept in this process, one store per target URI."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self.store = store_for(target_uri)

    # -- helpers: _record, _check_free and _insert expect the caller to hold the store's lock ---

    def _record(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        record = self.store.deployments.get(name)
        if record is None or endpoint not in (None, record["endpoint"]):
            raise missing("deployment", name)
        return record

    def _check_free(self, name: str, endpoint: str | None) -> None:
        if name in self.store.deployments:
            raise api.MlflowException(
                f"A deployment named {name!r} already exists.", api.RESOURCE_ALREADY_EXISTS
            )
        if endpoint is not None and endpoint not in self.store.endpoints:
            raise missing("endpoint", endpoint)

    def _insert(self, record: dict[str, Any], model: models.Model) -> None:
        self.store.deployments[record["name"]] = record
        self.store.served[record["name"]] = model

    def _load(self, model_uri: object, flavor: str | None) -> models.Model:
        return models.load_model(check_model_uri(model_uri), flavor)

    def _model(self, name: object, endpoint: str | None) -> models.Model:
        with self.store.lock:
            if name is None and endpoint is not None:  # predict --endpoint: its one deployment
                held = [d for d, r in self.store.deployments.items() if r["endpoint"] == endpoint]
                if len(held) != 1:
                    raise invalid(f"Endpoint {endpoint!r} holds {len(held)} deployments; name one.")
                name = held[0]
            name = check_name(name)
            self._record(name, endpoint)
            return self.store.served[name]

    # -- deployments -----------------------------------------------------------------------------

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        name = check_name(name)
        model = self._load(model_uri, flavor)  # first: a model that cannot load leaves nothing
        record = new_record(name, model_uri, flavor, config, endpoint)
        with self.store.lock:  # check and insert in one step, so concurrent creates race safely
            self._check_free(name, endpoint)
            self._insert(record, model)
        return public(record)

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        name = check_name(name)
        if flavor is not None and model_uri is None:
            raise invalid("A flavor applies to a model: pass model_uri together with flavor.")
        model = None if model_uri is None else self._load(model_uri, flavor)
        with self.store.lock:
            record = self._record(name, endpoint)
            if model is not None:
                record.update(model_uri=model_uri, flavor=flavor or DEFAULT_FLAVOR)
                self.store.served[name] = model
            record["config"].update(config or {})
            return public(record)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        name = check_name(name)
        with self.store.lock:
            record = self.store.deployments.get(name)
            if record is not None and endpoint in (None, record["endpoint"]):
                del self.store.deployments[name]
                self.store.served.pop(name, None)

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        with self.store.lock:
            records = list(self.store.deployments.values())
        return [public(r) for r in records if endpoint in (None, r["endpoint"])]

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        with self.store.lock:
            return public(self._record(check_name(name), endpoint))

    # -- scoring ---------------------------------------------------------------------------------

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        model = self._model(deployment_name, endpoint)
        predictions = model.predict(as_frame(inputs))
        return api.PredictionsResponse({"predictions": as_json_list(predictions)})

    def predict_stream(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Iterator[dict[str, Any]]:
        # Scored now, so a missing deployment raises here rather than on the first next().
        model = self._model(deployment_name, endpoint)
        rows = as_json_list(model.predict(as_frame(inputs)))
        return ({"predictions": [row]} for row in rows)

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        return self._model(deployment_name, endpoint).explain(as_frame(df))

    # -- endpoints -------------------------------------------------------------------------------

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        name = check_name(name, "endpoint")
        with self.store.lock:
            if name in self.store.endpoints:
                raise api.MlflowException(
                    f"An endpoint named {name!r} already exists.", api.RESOURCE_ALREADY_EXISTS
                )
            self.store.endpoints[name] = {"name": name, "config": dict(config or {})}
            return public(self.store.endpoints[name])

    def update_endpoint(self, endpoint: str, config: dict[str, Any] | None = None) -> None:
        if not isinstance(config, (dict, type(None))):
            raise invalid(f"config must be a dict or None; got {type(config).__name__}.")
        with self.store.lock:
            if endpoint not in self.store.endpoints:
                raise missing("endpoint", endpoint)
            self.store.endpoints[endpoint]["config"].update(config or {})

    def delete_endpoint(self, endpoint: str) -> None:
        with self.store.lock:
            held = [d for d, r in self.store.deployments.items() if r["endpoint"] == endpoint]
            if held:
                raise invalid(f"The endpoint {endpoint!r} still holds deployments {held!r}.")
            self.store.endpoints.pop(endpoint, None)

    def list_endpoints(self) -> list[dict[str, Any]]:
        with self.store.lock:
            return [public(e) for e in self.store.endpoints.values()]

    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        with self.store.lock:
            if endpoint not in self.store.endpoints:
                raise missing("endpoint", endpoint)
            return public(self.store.endpoints[endpoint])


def run_local(
    name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None
) -> None:
    """MLflow calls ``run_local(name, model_uri, flavor, config)``; this target has no server."""
    models.load_model(check_model_uri(model_uri), flavor)  # a bad model is still reported first
    raise api.MlflowException(
        "This target keeps deployments in memory and has no local server to run.",
        api.NOT_IMPLEMENTED,
    )


def target_help() -> str:
    return (
        "An in-memory deployment target for tests. Target URI: any name the plugin is "
        "registered under. Models: reference:/linear?weights=w1,w2&bias=b and "
        "reference:/constant?value=V. No config keys are needed; any given are stored."
    )
