"""What the kit creates on a target, and that it takes all of it away again, and nothing else:
names, teardown order, runs that fail or are interrupted, and sweeping earlier runs' leftovers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugins_for_kit.kit_helpers import (
    FAST,
    INCOMPLETE,
    PRIMARY_MODEL,
    SUBPROCESS_ARGS,
    log_calls_to,
    plugin_args,
    prepare_subprocess,
    read_json,
    read_log,
    run_kit,
    unique,
)

from conformance._naming import KIT_NAME_PATTERN, MAX_LABEL, is_dns_label
from reference_target import MemoryDeploymentClient
from reference_target.store import drop_store

CREATES = ("create_deployment", "create_endpoint")
DELETES = ("delete_deployment", "delete_endpoint")
KIND = {
    "create_deployment": "deployment",
    "delete_deployment": "deployment",
    "create_endpoint": "endpoint",
    "delete_endpoint": "endpoint",
}


@pytest.fixture
def namespace() -> Iterator[str]:
    """A memory namespace for one test's plugin, emptied afterwards."""
    name = unique("ns")
    yield name
    drop_store(name)


def _store(namespace: str) -> MemoryDeploymentClient:
    return MemoryDeploymentClient(f"memory:/{namespace}")


def _listed(namespace: str) -> tuple[set[str], set[str]]:
    store = _store(namespace)
    return (
        {d["name"] for d in store.list_deployments()},
        {e["name"] for e in store.list_endpoints()},
    )


def _resource(entry: dict[str, Any]) -> tuple[str, str]:
    return KIND[entry["op"]], entry["name"]


def _assert_everything_created_was_deleted(entries: list[dict[str, Any]]) -> None:
    """Each resource a create made is deleted after that create, successfully."""
    for index, entry in enumerate(entries):
        if entry["op"] in CREATES and entry["ok"]:
            later = entries[index + 1 :]
            assert any(
                e["op"] in DELETES and e["ok"] and _resource(e) == _resource(entry) for e in later
            ), f"{_resource(entry)} was created but never deleted"


def test_every_name_the_kit_creates_is_a_dns_label_with_the_run_prefix(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")

    result, _ = run_kit(pytester, *plugin_args("recording"), "-k", "not class-round-trips")

    entries = read_log(log)
    assert result.ret == INCOMPLETE
    assert sum(e["op"] in CREATES for e in entries) > 10
    first = next(e["name"] for e in entries if e["op"] in CREATES)
    prefix = "-".join(first.split("-")[:3])  # mdc-<token>-m
    # names.hostile tries names no platform accepts, on purpose (and deletes the refused ones
    # too, in case); they still carry the prefix. Every other name the kit makes is a label.
    hostile = {e["name"] for e in entries if e["op"] in CREATES and not is_dns_label(e["name"])}
    # predict(None, ..., endpoint=...) names no deployment: routing by endpoint is checked too.
    ordinary = [e for e in entries if e["name"] not in hostile and e["name"] is not None]
    assert {e["op"] for e in ordinary} >= {*CREATES, "predict"}
    bad = [
        e["name"]
        for e in ordinary
        if not (
            KIT_NAME_PATTERN.match(e["name"])
            and is_dns_label(e["name"])
            and len(e["name"]) <= MAX_LABEL
            and e["name"].startswith(prefix + "-")
        )
    ]
    assert bad == []
    assert len(hostile) == 3
    assert all(prefix in name for name in hostile)


def test_teardown_removes_everything_even_when_checks_fail(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, namespace: str
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")

    result, report = run_kit(pytester, *plugin_args("failing_predict", namespace), "-k", FAST)

    assert report is not None
    assert result.ret == INCOMPLETE
    assert "predict.returns-response" in report["summary"]["must_failures"]
    assert report["summary"]["leftovers"] == []
    assert _listed(namespace) == (set(), set())
    entries = read_log(log)
    _assert_everything_created_was_deleted(entries)
    # After the last check only deletes remain: the shared deployment, released once its checks
    # have run, and what the scenarios could not tidy themselves (the order of the run's own
    # cleanup, newest first, is tested by
    # test_cleanup_deletes_newest_first_and_skips_what_is_already_deleted).
    last_check = max(i for i, e in enumerate(entries) if e["test"] is not None)
    writes = [e for e in entries[last_check + 1 :] if e["op"] in CREATES or e["op"] in DELETES]
    assert writes
    assert all(e["op"] in DELETES for e in writes)


def test_the_kit_never_deletes_what_it_did_not_create(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, namespace: str
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")
    store = _store(namespace)
    store.create_deployment("user-owned", PRIMARY_MODEL)
    store.create_endpoint("user-endpoint")

    result, report = run_kit(pytester, *plugin_args("failing_predict", namespace), "-k", FAST)

    assert report is not None
    assert result.ret == INCOMPLETE  # the plugin fails checks: teardown runs on a failing run too
    assert _listed(namespace) == ({"user-owned"}, {"user-endpoint"})
    touched = {e["name"] for e in read_log(log) if e["op"] in DELETES}
    assert not touched & {"user-owned", "user-endpoint"}


def test_sweep_removes_earlier_runs_leftovers_and_nothing_else(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, namespace: str
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")
    store = _store(namespace)
    store.create_deployment("user-owned", PRIMARY_MODEL)
    store.create_endpoint("user-endpoint")
    store.create_deployment("mdc-abc123-m-shared-1", PRIMARY_MODEL)
    store.create_endpoint("mdc-abc123-w1-endpoint-7")
    store.create_deployment("mdc-europe-m-churn", PRIMARY_MODEL)  # a user's look-alike

    result, report = run_kit(
        pytester, *plugin_args("recording", namespace), "--conformance-sweep", "-k", FAST
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    assert report["statistics"]["swept"] == [
        "deployment mdc-abc123-m-shared-1",
        "endpoint mdc-abc123-w1-endpoint-7",
    ]
    assert "swept from earlier runs: deployment mdc-abc123-m-shared-1" in result.stdout.str()
    assert report["statistics"]["notes"]["sweep_skipped"] == {
        "deployment mdc-europe-m-churn": (
            "it only resembles the kit's names, so it may be someone else's"
        )
    }
    assert _listed(namespace) == ({"user-owned", "mdc-europe-m-churn"}, {"user-endpoint"})
    touched = {e["name"] for e in read_log(log) if e["op"] in DELETES}
    assert not touched & {"user-owned", "user-endpoint"}


def test_an_interrupted_run_still_cleans_up(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a subprocess: a KeyboardInterrupt would otherwise reach this test run.
    log = pytester.path / "calls.jsonl"
    prepare_subprocess(monkeypatch, log)

    result = pytester.runpytest_subprocess(
        *SUBPROCESS_ARGS,
        *plugin_args("interrupting"),
        "--conformance-report=report.json",
        "-k",
        FAST,
        timeout=120,
    )

    # The plugin's own KeyboardInterrupt is its check's failure; the -k run is incomplete.
    assert result.ret == INCOMPLETE
    assert "KeyboardInterrupt" in result.stdout.str()
    entries = read_log(log)
    assert any(e["op"] == "predict" and e.get("error") == "KeyboardInterrupt" for e in entries)
    assert any(e["op"] in CREATES and e["ok"] for e in entries)
    _assert_everything_created_was_deleted(entries)
    report = read_json(Path(pytester.path / "report.json"))
    assert report["summary"]["leftovers"] == []
    assert report["summary"]["deployments_created"] >= 1


def test_an_existing_endpoint_and_deployment_are_read_but_never_changed(
    run_kit_on_plugin, namespace: str
) -> None:
    """The memory target with an endpoint and a deployment lent to the kit: every check passes
    (the routed predictions go to the lent endpoint) and both are still there afterwards."""
    from conformance._models import MEMORY_PRIMARY

    lender = _store(namespace)
    lender.create_endpoint("lent")
    lender.create_deployment("lent-model", MEMORY_PRIMARY, endpoint="lent")
    run = run_kit_on_plugin(
        None,
        "--deployment-existing-endpoint=lent",
        "--deployment-existing-deployment=lent-model",
        target=f"memory:/{namespace}",
    )
    assert not run.failing, {i: run.check(i)["message"] for i in run.failing}
    assert run.check("endpoint.predict.returns-response")["outcome"] == "passed"
    assert _listed(namespace) == ({"lent-model"}, {"lent"})


def test_the_tracked_client_refuses_to_change_what_it_was_lent() -> None:
    from conformance._calling import CallRunner
    from conformance._naming import Namer
    from conformance._tracking import ReadOnlyViolation, TrackedClient

    lent = frozenset({("endpoint", "lent"), ("deployment", "lent-model")})
    client = TrackedClient(object(), CallRunner(5), Namer(), read_only=lent)
    for call in (
        lambda: client.create_endpoint("lent"),
        lambda: client.update_endpoint("lent", {}),
        lambda: client.delete_endpoint("lent"),
        lambda: client.create_deployment("lent-model", PRIMARY_MODEL),
        lambda: client.update_deployment("lent-model", config={}),
        lambda: client.delete_deployment("lent-model"),
    ):
        with pytest.raises(ReadOnlyViolation, match="must not change the existing"):
            call()
