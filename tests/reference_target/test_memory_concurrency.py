"""Eight threads on one store lose nothing, duplicate nothing, and each name is won once."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import conformance.api as api
from reference_target import MemoryDeploymentClient

THREADS = 8
OWN_NAMES = 30
SHARED_NAMES = 20
MERGES = 10
MODEL = "reference:/constant?value=1"
OTHER_MODEL = "reference:/constant?value=2"


def run_together(work: Callable[[int], None]) -> None:
    """Run ``work(i)`` in THREADS threads released at once; re-raise anything they raised."""
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def body(index: int) -> None:
        start.wait()
        try:
            work(index)
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(index,)) for index in range(THREADS)]
    # Switch threads far more often than usual, so unguarded read-modify-write steps interleave.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []


def test_eight_threads_lose_and_duplicate_nothing(target_uri: str) -> None:
    target_uri = target_uri
    setup = MemoryDeploymentClient(target_uri)
    setup.create_endpoint("endpoint")
    setup.create_deployment("merged", MODEL, config={"initial": True})
    won: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    endpoint_wins: Counter[str] = Counter()
    tally = threading.Lock()

    def work(index: int) -> None:
        client = MemoryDeploymentClient(target_uri)  # one client per thread, one shared store
        own = [f"t{index}-{k}" for k in range(OWN_NAMES)]
        for k, name in enumerate(own):
            endpoint = "endpoint" if k % 3 == 0 else None
            client.create_deployment(name, MODEL, config={"by": index}, endpoint=endpoint)
        # Every thread tries every shared name once, starting at a different one.
        for k in range(SHARED_NAMES):
            name = f"shared-{(k + 7 * index) % SHARED_NAMES}"
            try:
                client.create_deployment(name, MODEL, config={"winner": index})
            except api.MlflowException as exc:
                assert exc.error_code == api.RESOURCE_ALREADY_EXISTS
                with tally:
                    lost[name] += 1
            else:
                with tally:
                    won[name] += 1
        for name in own[1::2]:
            client.delete_deployment(name)
            client.delete_deployment(name)  # idempotent, even under contention
        for name in own[::2]:
            client.update_deployment(name, OTHER_MODEL, config={"updated": True})
        for step in range(MERGES):
            client.update_deployment("merged", config={f"thread-{index}-{step}": step})
        try:
            client.create_endpoint(f"shared-endpoint-{index % 2}")
            with tally:
                endpoint_wins[f"shared-endpoint-{index % 2}"] += 1
        except api.MlflowException as exc:
            assert exc.error_code == api.RESOURCE_ALREADY_EXISTS

    run_together(work)

    deployments = setup.list_deployments()
    names = [deployment["name"] for deployment in deployments]
    assert len(names) == len(set(names)), "a name is listed twice"
    survivors = {f"t{i}-{k}" for i in range(THREADS) for k in range(0, OWN_NAMES, 2)}
    shared = {f"shared-{k}" for k in range(SHARED_NAMES)}
    assert set(names) == survivors | shared | {"merged"}

    # Every shared name was won exactly once; every other attempt was told it was taken.
    assert won == Counter({name: 1 for name in shared})
    assert lost == Counter({name: THREADS - 1 for name in shared})
    # A listing holds summaries: read each deployment whole, config included.
    by_name = {name: setup.get_deployment(name) for name in names}
    for name in shared:
        assert by_name[name]["config"]["winner"] in range(THREADS)

    for i in range(THREADS):
        for k in range(0, OWN_NAMES, 2):
            deployment = by_name[f"t{i}-{k}"]
            assert deployment["config"] == {"by": i, "updated": True}
            assert deployment["model_uri"] == OTHER_MODEL
            assert deployment["endpoint"] == ("endpoint" if k % 3 == 0 else None)

    # Concurrent config merges: no thread's key was lost.
    assert by_name["merged"]["config"] == {
        "initial": True,
        **{f"thread-{i}-{step}": step for i in range(THREADS) for step in range(MERGES)},
    }

    in_endpoint = {d["name"] for d in setup.list_deployments(endpoint="endpoint")}
    assert in_endpoint == {name for name in survivors if int(name.split("-")[1]) % 3 == 0}
    assert endpoint_wins == Counter({"shared-endpoint-0": 1, "shared-endpoint-1": 1})
    assert sorted(e["name"] for e in setup.list_endpoints()) == [
        "endpoint",
        "shared-endpoint-0",
        "shared-endpoint-1",
    ]


def test_concurrent_creates_of_one_name_on_a_slow_target_have_one_winner(target_uri: str) -> None:
    # With latency, every create passes the early check before any inserts: the atomic insert
    # alone must pick the winner.
    slow = f"{target_uri}?latency=0.05"
    outcomes: list[str] = []
    tally = threading.Lock()

    def work(index: int) -> None:
        try:
            MemoryDeploymentClient(slow).create_deployment(
                "contested", f"reference:/constant?value={index}"
            )
            outcome = "won"
        except api.MlflowException as exc:
            outcome = exc.error_code
        with tally:
            outcomes.append(outcome)

    run_together(work)
    assert sorted(outcomes) == ["RESOURCE_ALREADY_EXISTS"] * (THREADS - 1) + ["won"]
    deployments = MemoryDeploymentClient(slow).list_deployments()
    assert [d["name"] for d in deployments] == ["contested"]
    served = MemoryDeploymentClient(slow).predict("contested", [[0]])["predictions"].tolist()
    assert served == [float(deployments[0]["model_uri"].rsplit("=", 1)[1])]


def test_deleting_an_endpoint_while_deployments_join_it_loses_nothing(target_uri: str) -> None:
    target_uri = target_uri
    MemoryDeploymentClient(target_uri).create_endpoint("busy")
    joined: list[str] = []
    tally = threading.Lock()

    def work(index: int) -> None:
        client = MemoryDeploymentClient(target_uri)
        if index % 2:
            try:
                client.delete_endpoint("busy")
            except api.MlflowException as exc:
                assert exc.error_code == api.INVALID_PARAMETER_VALUE
            return
        try:
            client.create_deployment(f"member-{index}", MODEL, endpoint="busy")
        except api.MlflowException as exc:
            assert exc.error_code == api.RESOURCE_DOES_NOT_EXIST  # the endpoint went first
        else:
            with tally:
                joined.append(f"member-{index}")

    run_together(work)
    client = MemoryDeploymentClient(target_uri)
    deployments: list[dict[str, Any]] = client.list_deployments()
    assert sorted(d["name"] for d in deployments) == sorted(joined)
    if joined:  # nothing that joined was orphaned: its endpoint is still there
        assert client.get_endpoint("busy")["name"] == "busy"
        assert sorted(d["name"] for d in client.list_deployments(endpoint="busy")) == sorted(joined)
