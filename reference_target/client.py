"""``MemoryDeploymentClient``: the ``memory`` target's deployments and endpoints.

Every call validates all of its arguments before anything changes, loads a new model before it
touches the store, and leaves the store as it was when it raises. With ``latency`` in the target
URI, creates, updates and deletes wait outside the store's lock, so other calls go on meanwhile.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

# The module, not the class: MLflow counts every client class among a plugin module's members.
import conformance.api as api
from reference_target.inputs import to_model_input
from reference_target.models import load_model
from reference_target.names import (
    dump_config,
    stream_chunk_size,
    validate_config,
    validate_flavor,
    validate_model_uri,
    validate_name,
)
from reference_target.store import (
    Deployment,
    DeploymentStore,
    Endpoint,
    deployment_exists,
    deployment_summaries,
    endpoint_exists,
    endpoint_in_use,
    get_store,
)
from reference_target.uri import parse_target_uri

__all__ = ["MemoryDeploymentClient"]


def _optional_endpoint(endpoint: object) -> str | None:
    return None if endpoint is None else validate_name(endpoint, "endpoint")


def _merged(current: Deployment | Endpoint, update: dict[str, Any]) -> bytes:
    if not update:
        return current.config_json
    return dump_config({**current.config, **update})


def _member_names(store: DeploymentStore, endpoint: str) -> list[str]:
    try:
        return [deployment.name for deployment in store.list_deployments(endpoint)]
    except api.MlflowException:  # no such endpoint: there is nothing to refuse
        return []


def _rows(predictions: Any) -> Any:
    """Predictions as something that slices into chunks."""
    if isinstance(predictions, pd.DataFrame):
        return predictions.to_dict(orient="records")
    if isinstance(predictions, pd.Series):
        return predictions.to_numpy()
    if isinstance(predictions, (np.ndarray, list, tuple)):
        return predictions
    return [predictions]


def _plain(chunk: Any) -> list[Any]:
    return chunk.tolist() if isinstance(chunk, np.ndarray) else list(chunk)


class MemoryDeploymentClient(api.BaseDeploymentClient):
    """Deployments held in this process, shared by every client of one namespace.

    Target URIs: ``memory``, ``memory:/<namespace>`` (kept in this process) and
    ``memory:///<absolute path>`` (kept in that SQLite file, shared by every process that names
    it), each optionally with ``?latency=<seconds>``.
    Models: ``reference:/constant?value=V``, ``reference:/linear?weights=...&bias=b``,
    ``reference:/echo``, and with MLflow installed any URI ``mlflow.pyfunc.load_model`` reads.
    """

    def __init__(self, target_uri: str) -> None:
        settings = parse_target_uri(target_uri)
        super().__init__(target_uri)
        self.namespace = settings.namespace
        self.latency = settings.latency
        self.path = settings.path
        if self.path is not None:
            self.store  # noqa: B018 - opens the file now, so a bad path fails here

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.target_uri!r})"

    @property
    def store(self) -> DeploymentStore:
        """This namespace's store, looked up on each use so a dropped namespace starts afresh."""
        return get_store(self.namespace, self.path)

    def _wait(self) -> None:
        # Called outside the store's lock: a slow change must not block anyone else.
        if self.latency:
            time.sleep(self.latency)

    # -- deployments ----------------------------------------------------------------------------

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Deploy ``model_uri`` as ``name`` and return it once it serves predictions.

        A name in use raises RESOURCE_ALREADY_EXISTS, a missing endpoint
        RESOURCE_DOES_NOT_EXIST; a model that cannot be loaded leaves nothing behind.
        """
        name = validate_name(name)
        model_uri = validate_model_uri(model_uri)
        flavor = validate_flavor(flavor)
        settings = validate_config(config)
        endpoint = _optional_endpoint(endpoint)
        store = self.store
        # Answer a conflict before the slow part; add_deployment checks again atomically.
        if store.find_deployment(name) is not None:
            raise deployment_exists(store.namespace, name)
        if endpoint is not None:
            store.get_endpoint(endpoint)
        model = load_model(model_uri, flavor)
        self._wait()
        deployment = Deployment(name, model_uri, flavor, model, dump_config(settings), endpoint)
        store.add_deployment(deployment)
        return deployment.to_dict()

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Change the model (``flavor`` only with ``model_uri``) and merge ``config`` into it.

        Returns the updated deployment's dict. MLflow documents None here, but its CLI reads
        ``ret["flavor"]`` from the result; a caller that ignores the value loses nothing.
        """
        name = validate_name(name)
        if flavor is not None and model_uri is None:
            raise api.MlflowException(
                f"update_deployment({name!r}) got flavor={flavor!r} without model_uri; a flavor "
                "applies to a model, so pass the model_uri too.",
                api.INVALID_PARAMETER_VALUE,
            )
        if model_uri is not None:
            model_uri = validate_model_uri(model_uri)
            flavor = validate_flavor(flavor)
        settings = validate_config(config)
        endpoint = _optional_endpoint(endpoint)
        store = self.store
        store.get_deployment(name, endpoint)
        new_model = (model_uri, load_model(model_uri, flavor)) if model_uri is not None else None

        def change(current: Deployment) -> Deployment:
            new_config = _merged(current, settings)
            if new_model is None:
                return dataclasses.replace(current, config_json=new_config)
            uri, model = new_model
            return dataclasses.replace(
                current,
                model_uri=uri,
                flavor=flavor if flavor is not None else current.flavor,
                model=model,
                config_json=new_config,
            )

        self._wait()
        return store.change_deployment(name, endpoint, change).to_dict()

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        """Delete ``name`` (only under ``endpoint`` when given); a missing one is no error."""
        name = validate_name(name)
        validate_config(config)
        endpoint = _optional_endpoint(endpoint)
        self._wait()
        self.store.remove_deployment(name, endpoint)

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every deployment, or those under ``endpoint``, in creation order, as summaries.

        A summary has ``name``, ``flavor``, ``model_uri``, ``endpoint`` and ``state``; it
        leaves ``config`` out, which keeps long listings cheap. ``get_deployment`` gives the
        whole deployment, ``config`` included.
        """
        endpoint = _optional_endpoint(endpoint)
        # Every store hands back records and the summaries are made here: the shape of a
        # listing does not depend on the store.
        return deployment_summaries(self.store.list_deployments(endpoint))

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        """The whole deployment ``name``, ``config`` included.

        A missing name raises RESOURCE_DOES_NOT_EXIST.
        """
        name = validate_name(name)
        return self.store.get_deployment(name, _optional_endpoint(endpoint)).to_dict()

    # -- scoring --------------------------------------------------------------------------------

    def _deployment(self, deployment_name: object, endpoint: object) -> Deployment:
        """The deployment to score: the one named, or the only one under ``endpoint``.

        `mlflow deployments predict --endpoint E` passes no deployment name; an endpoint that
        holds exactly one deployment routes to it, as a serving endpoint does.
        """
        if deployment_name is None and endpoint is not None:
            members = self.store.list_deployments(validate_name(endpoint, "endpoint"))
            if len(members) == 1:
                return members[0]
            raise api.MlflowException(
                f"Endpoint {endpoint!r} holds {len(members)} deployments, so predict cannot pick "
                "one: name it with predict(deployment_name=..., inputs=..., endpoint=...).",
                api.INVALID_PARAMETER_VALUE,
            )
        if deployment_name is None:
            raise api.MlflowException(
                "Name the deployment to score: predict(deployment_name=..., inputs=...).",
                api.INVALID_PARAMETER_VALUE,
            )
        name = validate_name(deployment_name)
        return self.store.get_deployment(name, _optional_endpoint(endpoint))

    def predict(
        self,
        deployment_name: str | None = None,
        inputs: Any = None,
        endpoint: str | None = None,
    ) -> api.PredictionsResponse:
        """Score ``inputs`` (any shape ``reference_target.inputs`` accepts) with a deployment."""
        deployment = self._deployment(deployment_name, endpoint)
        frame, params = to_model_input(inputs)
        return api.PredictionsResponse({"predictions": deployment.model.predict(frame, params)})

    def predict_stream(
        self,
        deployment_name: str | None = None,
        inputs: Any = None,
        endpoint: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Score ``inputs`` and yield ``{"predictions": [...]}`` chunks.

        Chunks hold ``config["stream_chunk_size"]`` predictions (default 1000). Scoring happens
        at call time, so a missing deployment or bad input raises before any iteration.
        """
        deployment = self._deployment(deployment_name, endpoint)
        frame, params = to_model_input(inputs)
        chunk_size = stream_chunk_size(deployment.config)
        rows = _rows(deployment.model.predict(frame, params))
        return (
            {"predictions": _plain(rows[i : i + chunk_size])}
            for i in range(0, len(rows), chunk_size)
        )

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        """Per-feature contributions as ``{"feature_names", "base_value", "contributions"}``.

        Models without an explanation raise NOT_IMPLEMENTED.
        """
        deployment = self._deployment(deployment_name, endpoint)
        frame, _ = to_model_input(df)
        return deployment.model.explain(frame)

    # -- endpoints ------------------------------------------------------------------------------

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create an endpoint that deployments can be created under."""
        name = validate_name(name, "endpoint")
        settings = validate_config(config)
        store = self.store
        if store.find_endpoint(name) is not None:  # answered before the slow part, too
            raise endpoint_exists(store.namespace, name)
        self._wait()
        endpoint = Endpoint(name, dump_config(settings))
        store.add_endpoint(endpoint)
        return endpoint.to_dict()

    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        """The endpoint as a dict; missing raises RESOURCE_DOES_NOT_EXIST."""
        return self.store.get_endpoint(validate_name(endpoint, "endpoint")).to_dict()

    def list_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint as dicts with ``name``."""
        return [endpoint.to_dict() for endpoint in self.store.list_endpoints()]

    def update_endpoint(
        self, endpoint: str, config: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Merge ``config`` into the endpoint's and return the endpoint (MLflow documents None)."""
        name = validate_name(endpoint, "endpoint")
        settings = validate_config(config)
        store = self.store
        store.get_endpoint(name)
        self._wait()
        changed = store.change_endpoint(
            name,
            lambda current: dataclasses.replace(current, config_json=_merged(current, settings)),
        )
        return changed.to_dict()

    def delete_endpoint(self, endpoint: str) -> None:
        """Delete an empty endpoint; a missing one is no error, one holding deployments raises."""
        name = validate_name(endpoint, "endpoint")
        store = self.store
        # Refuse before the slow part; remove_endpoint checks again atomically.
        members = _member_names(store, name)
        if members:
            raise endpoint_in_use(store.namespace, name, members)
        self._wait()
        store.remove_endpoint(name)
