"""``BaseDeploymentClient``: the abstract class every deployment plugin implements."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any

from conformance.api._errors import ErrorCode, MlflowException
from conformance.api._mlflow import mlflow_deployments

__all__ = ["BaseDeploymentClient", "UnsupportedOperation"]


class UnsupportedOperation(MlflowException):
    """Raised by the base class for an optional method that a target does not implement."""

    def __init__(self, target_uri: str, method: str) -> None:
        self.target_uri = target_uri
        self.method = method
        super().__init__(
            f"The deployment target {target_uri!r} does not support {method}(); "
            "see `target_help()` for what it does support.",
            ErrorCode.NOT_IMPLEMENTED,
        )

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Exception.args holds only the message; rebuild from what __init__ takes.
        return type(self), (self.target_uri, self.method)


_mlflow = mlflow_deployments()
_ClientBase: type = abc.ABC if _mlflow is None else _mlflow.BaseDeploymentClient


class BaseDeploymentClient(_ClientBase):  # type: ignore[misc,valid-type]
    """Deploy models to one target, named by ``target_uri``.

    Subclasses implement the six abstract deployment methods. The optional ones (explain,
    predict_stream and the endpoint methods) raise :class:`UnsupportedOperation` until a
    subclass overrides them. With MLflow installed this class subclasses MLflow's own.
    """

    def __init__(self, target_uri: str) -> None:
        self.target_uri = target_uri

    @abc.abstractmethod
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Deploy a model and block until it serves; return a dict with ``name``.

        A name already in use raises ``MlflowException`` and leaves that deployment as it was.
        """

    @abc.abstractmethod
    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any] | None:
        """Change a deployment's model, flavor (only with a model) or config; block until done."""

    @abc.abstractmethod
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        """Delete a deployment. Deleting a name that does not exist is not an error."""

    @abc.abstractmethod
    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every deployment, as dicts with a ``name`` key."""

    @abc.abstractmethod
    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        """One deployment as a dict with ``name``; a missing one raises ``MlflowException``."""

    @abc.abstractmethod
    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        """Score ``inputs`` and return a ``PredictionsResponse``."""

    def predict_stream(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Score ``inputs`` and yield the predictions in chunks, as dicts."""
        raise UnsupportedOperation(self.target_uri, "predict_stream")

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        """Explain the predictions for ``df``, as JSON-able data."""
        raise UnsupportedOperation(self.target_uri, "explain")

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create an endpoint and block until it can hold deployments."""
        raise UnsupportedOperation(self.target_uri, "create_endpoint")

    def update_endpoint(
        self, endpoint: str, config: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Change an endpoint's config; MLflow documents None, a target may return the endpoint."""
        raise UnsupportedOperation(self.target_uri, "update_endpoint")

    def delete_endpoint(self, endpoint: str) -> None:
        """Delete an endpoint. Deleting one that does not exist is not an error."""
        raise UnsupportedOperation(self.target_uri, "delete_endpoint")

    def list_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint, as dicts with a ``name`` key."""
        raise UnsupportedOperation(self.target_uri, "list_endpoints")

    def get_endpoint(self, endpoint: str) -> dict[str, Any]:
        """One endpoint as a dict with ``name``; a missing one raises ``MlflowException``."""
        raise UnsupportedOperation(self.target_uri, "get_endpoint")
