"""The memory target against a plain-dict model of it, one random call sequence at a time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import conformance.api as api
from reference_target import MemoryDeploymentClient
from reference_target.store import drop_store

NAMES = ["a", "b", "../c", "名 前"]
ENDPOINTS = ["e1", "e2"]
ROW = [[1.0, 2.0]]
# model URI -> its prediction for ROW; None marks a URI that cannot be loaded.
MODELS: dict[str, float | None] = {
    "reference:/constant?value=1": 1.0,
    "reference:/constant?value=2": 2.0,
    "reference:/linear?weights=1,1": 3.0,
    "reference:/linear?weights=2,0&bias=1": 3.0,
    "reference:/linear?weights=0,5": 10.0,
    "reference:/nosuchmodel": None,
}

names = st.sampled_from(NAMES)
endpoints = st.sampled_from(ENDPOINTS)
optional_endpoints = st.none() | endpoints
model_uris = st.sampled_from(list(MODELS))
configs = st.none() | st.dictionaries(
    st.sampled_from(["x", "y", "z"]), st.integers(-3, 3) | st.text(max_size=3), max_size=2
)


class Refused(Exception):
    """What the model expects instead of a result: the error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Model:
    """The target as plain dicts: what each call should do."""

    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)

    def visible(self, name: str, endpoint: str | None) -> dict[str, Any]:
        if endpoint is not None and endpoint not in self.endpoints:
            raise Refused(api.RESOURCE_DOES_NOT_EXIST)
        deployment = self.deployments.get(name)
        if deployment is None or (endpoint is not None and deployment["endpoint"] != endpoint):
            raise Refused(api.RESOURCE_DOES_NOT_EXIST)
        return deployment

    def create(self, name: str, model_uri: str, config: Any, endpoint: Any) -> dict[str, Any]:
        if name in self.deployments:
            raise Refused(api.RESOURCE_ALREADY_EXISTS)
        if endpoint is not None and endpoint not in self.endpoints:
            raise Refused(api.RESOURCE_DOES_NOT_EXIST)
        if MODELS[model_uri] is None:
            raise Refused(api.INVALID_PARAMETER_VALUE)
        self.deployments[name] = {
            "name": name,
            "flavor": "python_function",
            "model_uri": model_uri,
            "config": dict(config or {}),
            "endpoint": endpoint,
            "state": "ready",
        }
        return dict(self.deployments[name], config=dict(config or {}))

    def update(self, name: str, model_uri: Any, flavor: Any, config: Any) -> dict[str, Any]:
        if flavor is not None and model_uri is None:
            raise Refused(api.INVALID_PARAMETER_VALUE)
        deployment = self.visible(name, None)
        if model_uri is not None and MODELS[model_uri] is None:
            raise Refused(api.INVALID_PARAMETER_VALUE)
        if model_uri is not None:
            deployment["model_uri"] = model_uri
        deployment["config"] = {**deployment["config"], **(config or {})}
        return dict(deployment, config=dict(deployment["config"]))

    def delete(self, name: str, endpoint: Any) -> None:
        deployment = self.deployments.get(name)
        if deployment is not None and endpoint in (None, deployment["endpoint"]):
            del self.deployments[name]

    def create_endpoint(self, name: str, config: Any) -> dict[str, Any]:
        if name in self.endpoints:
            raise Refused(api.RESOURCE_ALREADY_EXISTS)
        self.endpoints[name] = {"name": name, "config": dict(config or {})}
        return {"name": name, "config": dict(config or {})}

    def update_endpoint(self, name: str, config: Any) -> dict[str, Any]:
        if name not in self.endpoints:
            raise Refused(api.RESOURCE_DOES_NOT_EXIST)
        endpoint = self.endpoints[name]
        endpoint["config"] = {**endpoint["config"], **(config or {})}
        return {"name": name, "config": dict(endpoint["config"])}

    def delete_endpoint(self, name: str) -> None:
        if any(d["endpoint"] == name for d in self.deployments.values()):
            raise Refused(api.INVALID_PARAMETER_VALUE)
        self.endpoints.pop(name, None)

    def listed(self, endpoint: str | None) -> list[dict[str, Any]]:
        """The deployments' summaries: every key but config."""
        if endpoint is not None and endpoint not in self.endpoints:
            raise Refused(api.RESOURCE_DOES_NOT_EXIST)
        return [
            {key: value for key, value in d.items() if key != "config"}
            for d in self.deployments.values()
            if endpoint in (None, d["endpoint"])
        ]


class MemoryTargetMachine(RuleBasedStateMachine):
    """Each step calls the target and the model alike; results and error codes must agree."""

    def __init__(self) -> None:
        super().__init__()
        self.namespace = f"stateful-{uuid.uuid4().hex}"
        self.client = MemoryDeploymentClient(f"memory:/{self.namespace}")
        self.model = Model()

    def teardown(self) -> None:
        drop_store(self.namespace)

    def agree(self, target_call: Any, model_call: Any) -> Any:
        """Run both; the same result, or the same error code."""
        try:
            expected = model_call()
        except Refused as refused:
            try:
                target_call()
            except api.MlflowException as exc:
                assert exc.error_code == refused.code, exc.message
            else:
                raise AssertionError(f"expected {refused.code}, but the call succeeded")
            return None
        actual = target_call()
        assert actual == expected
        return actual

    @rule(name=names, model_uri=model_uris, config=configs, endpoint=optional_endpoints)
    def create(self, name: str, model_uri: str, config: Any, endpoint: Any) -> None:
        self.agree(
            lambda: self.client.create_deployment(name, model_uri, None, config, endpoint),
            lambda: self.model.create(name, model_uri, config, endpoint),
        )

    @rule(
        name=names,
        model_uri=st.none() | model_uris,
        flavor=st.none() | st.just("python_function"),
        config=configs,
    )
    def update(self, name: str, model_uri: Any, flavor: Any, config: Any) -> None:
        self.agree(
            lambda: self.client.update_deployment(name, model_uri, flavor, config),
            lambda: self.model.update(name, model_uri, flavor, config),
        )

    @rule(name=names, endpoint=optional_endpoints)
    def delete(self, name: str, endpoint: Any) -> None:
        self.agree(
            lambda: self.client.delete_deployment(name, endpoint=endpoint),
            lambda: self.model.delete(name, endpoint),
        )

    @rule(name=names, endpoint=optional_endpoints)
    def get(self, name: str, endpoint: Any) -> None:
        self.agree(
            lambda: self.client.get_deployment(name, endpoint),
            lambda: self.model.visible(name, endpoint),
        )

    @rule(endpoint=optional_endpoints)
    def list_deployments(self, endpoint: Any) -> None:
        self.agree(
            lambda: self.client.list_deployments(endpoint),
            lambda: self.model.listed(endpoint),
        )

    @rule(name=names)
    def predict(self, name: str) -> None:
        self.agree(
            lambda: self.client.predict(name, ROW)["predictions"].tolist(),
            lambda: [MODELS[self.model.visible(name, None)["model_uri"]]],
        )

    @rule(name=endpoints, config=configs)
    def create_endpoint(self, name: str, config: Any) -> None:
        self.agree(
            lambda: self.client.create_endpoint(name, config),
            lambda: self.model.create_endpoint(name, config),
        )

    @rule(name=endpoints, config=configs)
    def update_endpoint(self, name: str, config: Any) -> None:
        self.agree(
            lambda: self.client.update_endpoint(name, config),
            lambda: self.model.update_endpoint(name, config),
        )

    @rule(name=endpoints)
    def delete_endpoint(self, name: str) -> None:
        self.agree(
            lambda: self.client.delete_endpoint(name),
            lambda: self.model.delete_endpoint(name),
        )

    @rule(name=names)
    def tamper_with_returned_dicts(self, name: str) -> None:
        # The invariant below then shows that nothing stored changed.
        if name in self.model.deployments:
            self.client.get_deployment(name)["config"]["tampered"] = True
        for listed in self.client.list_deployments():
            listed["state"] = "tampered"
            listed["config"] = {"tampered": True}

    @invariant()
    def everything_matches(self) -> None:
        listed = self.client.list_deployments()
        assert listed == self.model.listed(None)
        whole = [self.client.get_deployment(d["name"]) for d in listed]
        assert whole == list(self.model.deployments.values())
        assert self.client.list_endpoints() == list(self.model.endpoints.values())


# The loaded profile decides how many examples; only the length of each run is bounded here.
MemoryTargetMachine.TestCase.settings = settings(stateful_step_count=20)
TestMemoryTarget = MemoryTargetMachine.TestCase
