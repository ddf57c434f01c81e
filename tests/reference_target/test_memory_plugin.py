"""The plugin module keeps MLflow's loader rules, and the kit's own loader finds it."""

from __future__ import annotations

import inspect

import conformance.api as api
import reference_target
from reference_target import MemoryDeploymentClient, target_help


def test_the_module_keeps_the_loader_rules() -> None:
    inspection = api.inspect_plugin_module(reference_target)
    assert inspection.problems == []
    assert inspection.client_classes == ("MemoryDeploymentClient",)


def test_no_module_of_the_package_imports_the_base_class_by_name() -> None:
    for module_name in ("client", "store", "models", "inputs", "server", "names", "uri", "help"):
        module = getattr(reference_target, module_name)
        members = dict(inspect.getmembers(module))
        assert api.BaseDeploymentClient not in members.values(), module_name


def test_get_deploy_client_returns_the_memory_client(target_uri: str) -> None:
    client = api.get_deploy_client(target_uri)
    assert type(client) is MemoryDeploymentClient
    assert client.target_uri == target_uri
    assert isinstance(client, api.BaseDeploymentClient)


def test_the_public_names() -> None:
    assert reference_target.__all__ == ["MemoryDeploymentClient", "run_local", "target_help"]
    assert callable(reference_target.run_local)


def test_the_help_covers_what_a_user_needs() -> None:
    text = target_help()
    for topic in [
        "memory:/<namespace>",
        "latency=<seconds>",
        "control characters",
        "python_function",
        "reference:/constant?value=V",
        "reference:/linear?weights=",
        "stream_chunk_size",
        "port",
        "create_endpoint",
        "update_deployment returns",
    ]:
        assert topic in " ".join(text.split()), topic
