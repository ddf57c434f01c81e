"""``BaseDeploymentClient``: abstract methods, optional methods that refuse, MLflow's base class."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import conformance.api as api

ABSTRACT = {
    "create_deployment",
    "update_deployment",
    "delete_deployment",
    "list_deployments",
    "get_deployment",
    "predict",
}


class Complete(api.BaseDeploymentClient):
    """The six required methods and nothing else."""

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        return {"name": name}

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> None:
        return None

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        return None

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        return []

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        return {"name": name}

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        return api.PredictionsResponse({"predictions": []})


def test_the_base_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError, match="abstract"):
        api.BaseDeploymentClient("memory")  # type: ignore[abstract]


def test_the_abstract_methods_are_the_six_deployment_methods() -> None:
    assert set(api.BaseDeploymentClient.__abstractmethods__) == ABSTRACT


@pytest.mark.parametrize("missing", sorted(ABSTRACT))
def test_a_subclass_missing_one_method_cannot_be_instantiated(missing: str) -> None:
    incomplete = type(
        "Incomplete", (Complete,), {missing: api.BaseDeploymentClient.__dict__[missing]}
    )
    with pytest.raises(TypeError, match=missing):
        incomplete("memory")


def test_a_complete_subclass_keeps_its_target_uri() -> None:
    client = Complete("memory:/team?latency=0")
    assert client.target_uri == "memory:/team?latency=0"
    assert client.create_deployment("d", "m") == {"name": "d"}


OPTIONAL_CALLS: dict[str, Callable[[api.BaseDeploymentClient], Any]] = {
    "explain": lambda client: client.explain("d", None),
    "predict_stream": lambda client: client.predict_stream("d", {"x": 1}),
    "create_endpoint": lambda client: client.create_endpoint("e", {}),
    "update_endpoint": lambda client: client.update_endpoint("e", {}),
    "delete_endpoint": lambda client: client.delete_endpoint("e"),
    "list_endpoints": lambda client: client.list_endpoints(),
    "get_endpoint": lambda client: client.get_endpoint("e"),
}


@pytest.mark.parametrize("method", sorted(OPTIONAL_CALLS))
def test_optional_methods_refuse_with_not_implemented(method: str) -> None:
    client = Complete("somewhere:/over?the=rainbow")
    with pytest.raises(api.UnsupportedOperation) as caught:
        OPTIONAL_CALLS[method](client)
    error = caught.value
    assert isinstance(error, api.MlflowException)
    assert error.error_code == "NOT_IMPLEMENTED"
    assert f"{method}()" in error.message
    assert "somewhere:/over?the=rainbow" in error.message


def test_predict_stream_refuses_when_called_not_when_iterated() -> None:
    # As in MLflow's base: a caller that never iterates still learns the method is unsupported.
    with pytest.raises(api.UnsupportedOperation):
        Complete("memory").predict_stream("d", [1])


def test_a_subclass_may_implement_an_optional_method() -> None:
    class WithEndpoints(Complete):
        def list_endpoints(self) -> list[dict[str, Any]]:
            return [{"name": "e"}]

    client = WithEndpoints("memory")
    assert client.list_endpoints() == [{"name": "e"}]
    with pytest.raises(api.UnsupportedOperation, match="get_endpoint"):
        client.get_endpoint("e")


# --- with MLflow installed ------------------------------------------------------------------


@pytest.mark.mlflow
def test_subclasses_mlflows_base(mlflow: ModuleType) -> None:
    assert issubclass(api.BaseDeploymentClient, mlflow.deployments.BaseDeploymentClient)
    assert isinstance(Complete("memory"), mlflow.deployments.BaseDeploymentClient)


@pytest.mark.mlflow
def test_keeps_every_abstract_method_of_mlflows_base(mlflow: ModuleType) -> None:
    theirs = set(mlflow.deployments.BaseDeploymentClient.__abstractmethods__)
    assert theirs <= set(api.BaseDeploymentClient.__abstractmethods__)


@pytest.mark.mlflow
def test_the_refusal_is_an_mlflow_exception(mlflow: ModuleType) -> None:
    with pytest.raises(mlflow.exceptions.MlflowException) as caught:
        Complete("memory").explain("d", None)
    assert caught.value.error_code == "NOT_IMPLEMENTED"
