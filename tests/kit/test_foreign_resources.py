"""What was on the target before the run: snapshotted cheaply, left alone, and checked."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugins_for_kit.kit_helpers import PRIMARY_MODEL, SECONDARY_MODEL, unique

from conformance._calling import CallRunner
from conformance._foreign import compare, shared_snapshot, take_snapshot
from conformance._naming import Namer
from conformance._tracking import TrackedClient
from reference_target import MemoryDeploymentClient
from reference_target.store import drop_store

TOKEN = "abc123"


class Counting:
    """A memory client that counts the calls made to it, by method."""

    def __init__(self, uri: str) -> None:
        self.inner = MemoryDeploymentClient(uri)
        self.calls: dict[str, int] = {}

    def __getattr__(self, method: str) -> Any:
        function = getattr(self.inner, method)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[method] = self.calls.get(method, 0) + 1
            return function(*args, **kwargs)

        return counted


@pytest.fixture
def namespace() -> Iterator[str]:
    name = unique("foreign")
    yield name
    drop_store(name)


def _populate(uri: str) -> MemoryDeploymentClient:
    """Users' resources: one under an endpoint, look-alikes of the kit's names, and a leftover
    of another run of the kit (not foreign: its own run deletes it)."""
    client = MemoryDeploymentClient(uri)
    client.create_endpoint("team-ep")
    client.create_endpoint("mdc-europe-m-ep")
    client.create_deployment("team-churn", PRIMARY_MODEL)
    client.create_deployment("team-ep-scorer", PRIMARY_MODEL, endpoint="team-ep")
    client.create_deployment("mdc-europe-m-churn", PRIMARY_MODEL)
    client.create_deployment("mdc-old999-w1-shared-1", PRIMARY_MODEL)
    return client


def _state(client: MemoryDeploymentClient) -> tuple[list[Any], list[Any]]:
    return (
        sorted((d["name"], d["model_uri"], d["flavor"]) for d in client.list_deployments()),
        sorted(e["name"] for e in client.list_endpoints()),
    )


def test_the_snapshot_holds_foreign_resources_only(namespace: str) -> None:
    _populate(f"memory:/{namespace}")
    tracked = TrackedClient(
        MemoryDeploymentClient(f"memory:/{namespace}"), CallRunner(5), Namer(TOKEN)
    )

    snapshot = take_snapshot(tracked, TOKEN)

    assert set(snapshot.resources["deployment"]) == {
        "team-churn",
        "team-ep-scorer",
        "mdc-europe-m-churn",
    }
    assert set(snapshot.resources["endpoint"]) == {"team-ep", "mdc-europe-m-ep"}
    assert snapshot.resources["deployment"]["team-churn"]["model_uri"] == PRIMARY_MODEL


def test_comparing_costs_one_listing_per_kind_until_something_is_missing(namespace: str) -> None:
    uri = f"memory:/{namespace}"
    owner = _populate(uri)
    counting = Counting(uri)
    tracked = TrackedClient(counting, CallRunner(5), Namer(TOKEN))
    snapshot = take_snapshot(tracked, TOKEN)

    kept = compare(snapshot, tracked)
    assert (kept.vanished, kept.changed) == ([], [])
    assert counting.calls == {"list_deployments": 2, "list_endpoints": 2}

    owner.delete_deployment("team-churn")
    owner.update_deployment("mdc-europe-m-churn", SECONDARY_MODEL)
    harmed = compare(snapshot, tracked)

    assert harmed.vanished == ["deployment team-churn"]
    assert harmed.changed == [
        f"deployment mdc-europe-m-churn: model_uri {PRIMARY_MODEL!r} -> {SECONDARY_MODEL!r}"
    ]
    assert counting.calls["get_deployment"] == 1  # only the one the listing no longer shows


def test_harm_found_after_cleanup_fails_the_checks_that_had_passed() -> None:
    from conformance._session import _judge_foreign_after_cleanup
    from conformance.report import Report

    report = Report.empty("memory")
    for check_id in ("resources.foreign-kept", "resources.foreign-unchanged"):
        report.result(check_id).outcome = "passed"
    report.statistics = {
        "foreign_after_cleanup": {"vanished": ["deployment team-churn"], "changed": []}
    }

    _judge_foreign_after_cleanup(report)

    kept = report.result("resources.foreign-kept")
    assert kept.outcome == "failed"
    assert "after the kit's cleanup" in kept.message and "team-churn" in kept.message
    assert report.result("resources.foreign-unchanged").outcome == "passed"


def test_xdist_workers_share_the_first_workers_snapshot(
    namespace: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    uri = f"memory:/{namespace}"
    owner = _populate(uri)
    first = Counting(uri)
    snapshot = shared_snapshot(TrackedClient(first, CallRunner(5), Namer(TOKEN)), TOKEN)
    owner.delete_deployment("team-churn")  # the first worker's harm, before the second starts
    second = Counting(uri)

    seen = shared_snapshot(TrackedClient(second, CallRunner(5), Namer(TOKEN)), TOKEN)

    assert seen == snapshot
    assert "team-churn" in seen.resources["deployment"]
    assert second.calls == {}


def test_memory_target_holding_foreign_resources_passes_and_keeps_them(
    run_kit_on_plugin, namespace: str
) -> None:
    uri = f"memory:/{namespace}"
    owner = _populate(uri)
    owner.delete_deployment("mdc-old999-w1-shared-1")  # a sweep's business, tested elsewhere
    before = _state(owner)

    run = run_kit_on_plugin(None, target=uri)

    assert run.with_outcome("passed") == set(run.outcomes), run.failing
    assert _state(owner) == before


def test_a_plugin_holding_foreign_resources_passes_and_keeps_them(run_kit_on_plugin) -> None:
    seeded = importlib.import_module("variant_foreign_resources")  # the run's own module
    good = importlib.import_module("good")
    target = unique("kit-foreign")

    run = run_kit_on_plugin("variant_foreign_resources", target=target)

    assert run.with_outcome("passed") == set(run.outcomes), run.failing
    assert seeded.untouched(good.store_for(target)) == {
        "deployments": {
            name: (uri, flavor, endpoint)
            for name, (uri, flavor, endpoint) in seeded.FOREIGN_DEPLOYMENTS.items()
        },
        "endpoints": sorted(seeded.FOREIGN_ENDPOINTS),
    }


def test_a_lost_resource_is_named_in_the_failure(run_kit_on_plugin) -> None:
    run = run_kit_on_plugin("broken_delete_removes_stale")
    message = run.check("resources.foreign-kept")["message"]
    assert "deployment team-churn" in message
    assert "deployment team-ep-scorer" in message
