"""Target URIs and plugin lookup, register_target, the module rules, run_local, target_help."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import conformance.api as api
from conformance.api import _targets as targets
from conformance.api._mlflow import mlflow_available
from reference_target import MemoryDeploymentClient

CLIENT = """
import conformance.api as api


class {name}(api.BaseDeploymentClient):
    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        return {{"name": name, "flavor": flavor}}

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        return None

    def delete_deployment(self, name, config=None, endpoint=None):
        return None

    def list_deployments(self, endpoint=None):
        return []

    def get_deployment(self, name, endpoint=None):
        return {{"name": name}}

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        return api.PredictionsResponse({{"predictions": []}})
"""

RUN_LOCAL = """
CALLS = []


def run_local(*args, **kwargs):
    CALLS.append((args, kwargs))
    return "served"
"""

TARGET_HELP = """
def target_help():
    return "Deploys to nowhere. Target URI: nowhere:/bucket"
"""

GOOD = CLIENT.format(name="Client") + RUN_LOCAL + TARGET_HELP

WriteModule = Callable[[str], str]


@pytest.fixture(autouse=True)
def isolated_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made by a test vanish with it, in our registry and in MLflow's."""
    monkeypatch.setattr(targets, "_registered", dict(targets._registered))
    monkeypatch.setattr(targets, "_loaded", dict(targets._loaded))
    if mlflow_available():
        from mlflow.deployments.interface import plugin_store

        monkeypatch.setattr(plugin_store, "_registry", dict(plugin_store._registry))


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteModule]:
    """Write a uniquely named, importable plugin module; return its name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    written: list[str] = []

    def write(source: str) -> str:
        name = f"plugin_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


def unique_target() -> str:
    return f"target{uuid.uuid4().hex[:12]}"


def rule_error(target: str, *, call: Callable[[str], Any] = api.get_deploy_client) -> str:
    """The message of the MlflowException that loading ``target`` raises."""
    with pytest.raises(api.MlflowException) as caught:
        call(target)
    assert caught.value.error_code == "INTERNAL_ERROR"
    return caught.value.message


# --- parse_target_uri ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        ("memory", "memory"),
        ("memory:/ns", "memory"),
        ("memory:/slow?latency=1", "memory"),
        ("memory:/", "memory"),
        ("sagemaker:/us-east-1/arn", "sagemaker"),
        ("my-target", "my-target"),
    ],
)
def test_parse_target_uri(uri: str, name: str) -> None:
    assert api.parse_target_uri(uri) == name


@pytest.mark.parametrize("uri", ["", "   ", None, 3, b"memory", ["memory"]])
def test_parse_target_uri_refuses_non_uris(uri: Any) -> None:
    with pytest.raises(api.MlflowException) as caught:
        api.parse_target_uri(uri)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "memory:/namespace" in caught.value.message


# --- get_deploy_client ----------------------------------------------------------------------


@pytest.mark.parametrize("uri", ["memory", "memory:/api-tests", "memory:/api-tests?latency=0"])
def test_memory_is_the_reference_client_built_with_the_full_uri(uri: str) -> None:
    client = api.get_deploy_client(uri)
    assert isinstance(client, MemoryDeploymentClient)
    assert isinstance(client, api.BaseDeploymentClient)
    assert client.target_uri == uri


def test_memory_is_installed_as_an_entry_point() -> None:
    names = {
        ep.name: ep.value for ep in importlib.metadata.entry_points(group="mlflow.deployments")
    }
    assert names.get("memory") == "reference_target"
    assert api.ENTRY_POINT_GROUP == "mlflow.deployments"


def test_unknown_target_lists_the_installed_ones() -> None:
    target = unique_target()
    with pytest.raises(api.MlflowException) as caught:
        api.get_deploy_client(f"{target}:/x")
    assert caught.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert repr(target) in caught.value.message
    assert "Installed targets: " in caught.value.message
    assert "memory" in caught.value.message.split("Installed targets: ")[1]


def test_load_target_module_returns_the_module_once_loaded() -> None:
    module = api.load_target_module("memory:/a")
    assert module.__name__ == "reference_target"
    assert api.load_target_module("memory:/b") is module


# --- register_target --------------------------------------------------------------------------


def test_register_a_dotted_name(write_module: WriteModule) -> None:
    target, module = unique_target(), write_module(GOOD)
    api.register_target(target, module)
    client = api.get_deploy_client(f"{target}:/bucket")
    assert type(client).__name__ == "Client"
    assert type(client).__module__ == module
    assert client.target_uri == f"{target}:/bucket"
    assert client.create_deployment("d", "m", "f") == {"name": "d", "flavor": "f"}


def test_register_a_module_object() -> None:
    module = ModuleType(f"inline_{uuid.uuid4().hex}")
    exec(compile(GOOD, module.__name__, "exec"), module.__dict__)
    target = unique_target()
    api.register_target(target, module)
    assert api.load_target_module(target) is module
    assert type(api.get_deploy_client(target)).__name__ == "Client"


def test_registering_again_replaces_the_loaded_module(write_module: WriteModule) -> None:
    target = unique_target()
    first, second = write_module(GOOD), write_module(GOOD)
    api.register_target(target, first)
    assert api.load_target_module(target).__name__ == first
    api.register_target(target, second)
    assert api.load_target_module(target).__name__ == second


def test_registered_names_come_before_entry_points(write_module: WriteModule) -> None:
    module = write_module(GOOD)
    api.register_target("memory", module)
    assert type(api.get_deploy_client("memory")).__module__ == module


def test_a_missing_module_fails_when_loaded_not_when_registered() -> None:
    target = unique_target()
    api.register_target(target, f"no_such_package_{uuid.uuid4().hex}.plugin")
    with pytest.raises(api.MlflowException, match="failed to import"):
        api.get_deploy_client(target)


def test_a_module_that_raises_on_import(write_module: WriteModule) -> None:
    target = unique_target()
    api.register_target(target, write_module("raise RuntimeError('no credentials')\n"))
    message = rule_error(target)
    assert "failed to import" in message
    assert "RuntimeError: no credentials" in message


# --- the module rules --------------------------------------------------------------------------


def class_entry_point(write_module: WriteModule, monkeypatch: pytest.MonkeyPatch) -> str:
    """A target whose (simulated) installed entry point names a class, as ``module:Class``."""
    module, target = write_module(GOOD), unique_target()
    entry_point = importlib.metadata.EntryPoint(target, f"{module}:Client", api.ENTRY_POINT_GROUP)
    entry_points = {**targets._entry_points(), target: entry_point}
    monkeypatch.setattr(targets, "_entry_points", lambda: entry_points)
    return target


def test_an_entry_point_naming_a_class_breaks_module_is_module(
    write_module: WriteModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = class_entry_point(write_module, monkeypatch)
    message = rule_error(target)
    assert "module.is-module" in message
    assert "not a module" in message


def test_module_is_module_names_the_class_it_found(
    write_module: WriteModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = rule_error(class_entry_point(write_module, monkeypatch))
    assert "Client" in message
    assert "ABCMeta" not in message


def test_registering_a_class_breaks_module_is_module() -> None:
    target = unique_target()
    api.register_target(target, MemoryDeploymentClient)  # type: ignore[arg-type]
    assert "module.is-module" in rule_error(target)


def test_no_client_class_breaks_one_client_class(write_module: WriteModule) -> None:
    target = unique_target()
    api.register_target(target, write_module(RUN_LOCAL + TARGET_HELP))
    message = rule_error(target)
    assert "module.one-client-class" in message
    assert "no subclass of BaseDeploymentClient" in message


def test_two_client_classes_break_one_client_class(write_module: WriteModule) -> None:
    source = CLIENT.format(name="First") + CLIENT.format(name="Second") + RUN_LOCAL + TARGET_HELP
    target = unique_target()
    api.register_target(target, write_module(source))
    message = rule_error(target)
    assert "module.one-client-class" in message
    assert "2 client classes (First, Second)" in message
    assert "import their modules instead" in message


def test_importing_the_base_by_name_gets_its_own_hint(write_module: WriteModule) -> None:
    source = "from conformance.api import BaseDeploymentClient\n" + GOOD
    target = unique_target()
    api.register_target(target, write_module(source))
    message = rule_error(target)
    assert "module.one-client-class" in message
    assert "BaseDeploymentClient" in message
    assert "import conformance.api as api" in message


def test_an_imported_client_class_counts(write_module: WriteModule) -> None:
    source = "from reference_target import MemoryDeploymentClient\n" + GOOD
    target = unique_target()
    api.register_target(target, write_module(source))
    assert "2 client classes" in rule_error(target)


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        (CLIENT.format(name="Client") + TARGET_HELP, "run_local"),
        (CLIENT.format(name="Client") + RUN_LOCAL, "target_help"),
        (CLIENT.format(name="Client"), "run_local and target_help"),
        (CLIENT.format(name="Client") + "run_local = 'not callable'\n" + TARGET_HELP, "run_local"),
    ],
    ids=["no-run-local", "no-target-help", "neither", "not-callable"],
)
def test_missing_functions_break_has_run_local_and_target_help(
    write_module: WriteModule, source: str, missing: str
) -> None:
    target = unique_target()
    api.register_target(target, write_module(source))
    message = rule_error(target)
    assert "module.has-run-local-and-target-help" in message
    assert f"lacks {missing};" in message


def test_every_broken_rule_is_named_at_once(write_module: WriteModule) -> None:
    target = unique_target()
    api.register_target(target, write_module("X = 1\n"))
    message = rule_error(target)
    assert "module.has-run-local-and-target-help" in message
    assert "module.one-client-class" in message


@pytest.mark.parametrize("call", [api.run_local, api.target_help], ids=["run_local", "target_help"])
def test_module_functions_check_the_rules_first(
    write_module: WriteModule, call: Callable[..., Any]
) -> None:
    source = CLIENT.format(name="A") + CLIENT.format(name="B") + RUN_LOCAL + TARGET_HELP
    target = unique_target()
    api.register_target(target, write_module(source))
    with pytest.raises(api.MlflowException, match=r"module\.one-client-class"):
        call(target, "d", "m") if call is api.run_local else call(target)
    assert sys.modules[api.load_target_module(target).__name__].CALLS == []


def test_inspect_plugin_module_reports_what_it_counted(write_module: WriteModule) -> None:
    target = unique_target()
    api.register_target(target, write_module(GOOD))
    inspection = api.inspect_plugin_module(api.load_target_module(target))
    assert inspection.client_classes == ("Client",)
    assert inspection.missing_functions == ()
    assert inspection.imported_base is False
    assert inspection.problems == []


def test_the_reference_target_keeps_every_rule() -> None:
    assert api.inspect_plugin_module(api.load_target_module("memory")).problems == []


# --- run_local and target_help --------------------------------------------------------------


def test_run_local_calls_the_plugin_the_way_mlflow_does(write_module: WriteModule) -> None:
    target = unique_target()
    module = write_module(GOOD)
    api.register_target(target, module)
    result = api.run_local(target, "local-1", "models:/m/1", "python_function", {"port": 1})
    assert result == "served"
    # Positionally, without the target: MLflow's real calling convention.
    assert sys.modules[module].CALLS == [
        (("local-1", "models:/m/1", "python_function", {"port": 1}), {})
    ]


def test_run_local_passes_none_for_what_was_not_given(write_module: WriteModule) -> None:
    target = unique_target()
    module = write_module(GOOD)
    api.register_target(target, module)
    api.run_local(f"{target}:/suffix", "local-2", "models:/m/2")
    assert sys.modules[module].CALLS == [(("local-2", "models:/m/2", None, None), {})]


def test_target_help_returns_the_plugins_text(write_module: WriteModule) -> None:
    target = unique_target()
    api.register_target(target, write_module(GOOD))
    assert api.target_help(target) == "Deploys to nowhere. Target URI: nowhere:/bucket"


def test_target_help_of_memory_is_text() -> None:
    text = api.target_help("memory")
    assert isinstance(text, str)
    assert "memory" in text


# --- with MLflow installed ------------------------------------------------------------------


@pytest.mark.mlflow
def test_mlflows_get_deploy_client_loads_memory(mlflow: ModuleType) -> None:
    client = mlflow.deployments.get_deploy_client("memory:/api-tests")
    assert isinstance(client, MemoryDeploymentClient)
    assert client.target_uri == "memory:/api-tests"


@pytest.mark.mlflow
def test_mlflow_finds_a_target_registered_by_dotted_name(
    mlflow: ModuleType, write_module: WriteModule
) -> None:
    target, module = unique_target(), write_module(GOOD)
    api.register_target(target, module)
    client = mlflow.deployments.get_deploy_client(f"{target}:/bucket")
    assert type(client).__module__ == module
    assert client.target_uri == f"{target}:/bucket"


@pytest.mark.mlflow
def test_mlflows_run_local_uses_the_same_convention(
    mlflow: ModuleType, write_module: WriteModule
) -> None:
    target, module = unique_target(), write_module(GOOD)
    api.register_target(target, module)
    mlflow.deployments.run_local(target, "local-3", "models:/m/3", "pyfunc", {"a": 1})
    api.run_local(target, "local-3", "models:/m/3", "pyfunc", {"a": 1})
    first, second = sys.modules[module].CALLS
    assert first == second


@pytest.mark.mlflow
def test_mlflow_agrees_a_two_class_module_is_broken(
    mlflow: ModuleType, write_module: WriteModule
) -> None:
    source = "from conformance.api import BaseDeploymentClient\n" + GOOD
    target = unique_target()
    api.register_target(target, write_module(source))
    with pytest.raises(mlflow.exceptions.MlflowException, match="more than one child class"):
        mlflow.deployments.get_deploy_client(target)
