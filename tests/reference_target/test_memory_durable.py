"""The durable memory target (``memory:///<path>``): one SQLite file, shared and persistent."""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_memory_stateful import MemoryTargetMachine

import conformance.api as api
from reference_target import MemoryDeploymentClient, model_cache
from reference_target.model_cache import StoredModel
from reference_target.store import SQLiteStore, close_sqlite_store, drop_store, get_store
from reference_target.store import sqlite as sqlite_store
from reference_target.uri import TargetSettings, parse_target_uri

LINEAR = "reference:/linear?weights=2,-1&bias=0.5"
CONSTANT = "reference:/constant?value=7"
ROW = [[1.0, 2.0]]  # LINEAR predicts 2*1 - 2 + 0.5 = 0.5; CONSTANT predicts 7


def uri_of(path: Path, options: str = "") -> str:
    return f"memory://{path}{options}"


@pytest.fixture
def store_path(tmp_path: Path) -> Iterator[Path]:
    """A store file no other test uses; this process's handle on it is dropped afterwards."""
    path = tmp_path / "store.db"
    yield path
    close_sqlite_store(str(path))


@pytest.fixture
def durable(store_path: Path) -> MemoryDeploymentClient:
    return MemoryDeploymentClient(uri_of(store_path))


def reopened(path: Path) -> MemoryDeploymentClient:
    """A client on ``path`` as a newly started process would get it: no handle, no models."""
    close_sqlite_store(str(path))
    model_cache.clear_model_cache()
    return MemoryDeploymentClient(uri_of(path))


def predictions(client: MemoryDeploymentClient, name: str) -> list[float]:
    return client.predict(name, ROW)["predictions"].tolist()


def everything(client: MemoryDeploymentClient) -> tuple[list[Any], list[Any]]:
    """Every deployment read whole (a listing holds summaries, without config), and endpoints."""
    deployments = [client.get_deployment(d["name"]) for d in client.list_deployments()]
    return deployments, client.list_endpoints()


# -- URIs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target_uri", "expected"),
    [
        ("memory:///srv/store.db", TargetSettings("/srv/store.db", 0.0, "/srv/store.db")),
        ("memory:///srv/a/../store.db", TargetSettings("/srv/store.db", 0.0, "/srv/store.db")),
        (
            "memory:///srv/my%20store.db",
            TargetSettings("/srv/my store.db", 0.0, "/srv/my store.db"),
        ),
        ("memory:///srv/s.db?latency=0.5", TargetSettings("/srv/s.db", 0.5, "/srv/s.db")),
        ("memory:/srv/store.db", TargetSettings("srv/store.db", 0.0, None)),
        ("memory:/ns", TargetSettings("ns", 0.0, None)),
    ],
)
def test_three_slashes_name_a_store_file_and_one_a_namespace(
    target_uri: str, expected: TargetSettings
) -> None:
    assert parse_target_uri(target_uri) == expected


@pytest.mark.parametrize(
    ("target_uri", "hint"),
    [
        ("memory://relative/store.db", "three slashes"),
        ("memory://store.db", "relative path such as 'store.db'"),
        ("memory://", "absolute path of a store file"),
        ("memory://?latency=1", "absolute path of a store file"),
        ("memory:///srv/", "names a directory"),
        ("memory:///srv/bad%0Aname.db", "control character"),
        ("memory:///srv/s.db?latency=-1", "from 0 to 3600"),
        ("memory:///srv/s.db?mode=ro", "unknown option 'mode'"),
        ("memory:///srv/%ED%A0%80.db", "percent escapes are not UTF-8"),
        ("memory:///srv/%FF.db", "percent escapes are not UTF-8"),
    ],
)
def test_malformed_durable_uris_say_what_to_write(target_uri: str, hint: str) -> None:
    with pytest.raises(api.MlflowException, match=re.escape(hint)) as caught:
        MemoryDeploymentClient(target_uri)
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    assert "memory:///<absolute path of a store file>" in caught.value.message


def test_a_namespace_uri_stays_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    client = MemoryDeploymentClient("memory:/inprocess.db")
    try:
        client.create_deployment("model", CONSTANT)
        assert client.path is None
        assert list(tmp_path.iterdir()) == []
    finally:
        drop_store(client.namespace)


# -- bad paths -------------------------------------------------------------------------------------


def bad_path_error(path: str) -> api.MlflowException:
    with pytest.raises(api.MlflowException) as caught:
        MemoryDeploymentClient(f"memory://{path}")
    assert caught.value.error_code == api.INVALID_PARAMETER_VALUE
    assert "memory:///<absolute path of a store file>" in caught.value.message
    return caught.value


@pytest.mark.parametrize("shape", ["long name", "deep"])
def test_a_path_too_long_for_the_system_is_refused(tmp_path: Path, shape: str) -> None:
    path = (
        tmp_path / ("x" * 300 + ".db")
        if shape == "long name"
        else tmp_path.joinpath(*["d" * 200] * 30, "store.db")
    )
    assert "name a shorter or other path" in bad_path_error(str(path)).message


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert "is a directory" in bad_path_error(str(tmp_path)).message


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    error = bad_path_error(str(tmp_path / "missing" / "store.db"))
    assert "does not exist; create it first" in error.message
    assert not (tmp_path / "missing").exists()


def test_a_file_used_as_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    assert "is not a directory" in bad_path_error(str(tmp_path / "plain" / "store.db")).message


def test_an_unwritable_place_is_refused() -> None:
    # Nobody, root included, can create a file in /proc: the refusal comes from the access
    # check for other users and from SQLite itself for root.
    error = bad_path_error(f"/proc/{uuid.uuid4().hex}.db")
    assert "not writable" in error.message or "unable to open" in error.message


def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n" * 10)
    assert "not a database" in bad_path_error(str(notes)).message
    assert notes.read_text() == "my notes, not a database\n" * 10


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things (x)")
    assert "another application" in bad_path_error(str(other)).message


def test_a_store_of_another_schema_version_is_refused(store_path: Path) -> None:
    MemoryDeploymentClient(uri_of(store_path))
    close_sqlite_store(str(store_path))
    with sqlite3.connect(store_path) as connection:
        connection.execute("PRAGMA user_version = 99")
    assert "schema version 99" in bad_path_error(str(store_path)).message


# -- the file --------------------------------------------------------------------------------------


def test_the_file_is_in_wal_mode_with_unique_names(
    durable: MemoryDeploymentClient, store_path: Path
) -> None:
    durable.create_deployment("model", CONSTANT)
    with sqlite3.connect(store_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            connection.execute(
                "INSERT INTO deployments (name, flavor, model_uri, config, state, created_at, "
                "updated_at) VALUES ('model', 'python_function', 'x', '{}', 'ready', 0, 0)"
            )
        row = connection.execute(
            "SELECT flavor, model_uri, config, state, created_at <= updated_at FROM deployments"
        ).fetchone()
    assert row == ("python_function", CONSTANT, "{}", "ready", 1)


def test_clients_of_one_file_share_one_store(store_path: Path) -> None:
    first = MemoryDeploymentClient(uri_of(store_path))
    second = MemoryDeploymentClient(uri_of(store_path, "?latency=0"))
    alias = MemoryDeploymentClient(f"memory://{store_path.parent}/./{store_path.name}")
    assert first.store is second.store is alias.store
    assert isinstance(first.store, SQLiteStore)
    first.create_deployment("shared", LINEAR)
    assert predictions(second, "shared") == [0.5]
    alias.delete_deployment("shared")
    assert first.list_deployments() == []


def test_everything_survives_a_fresh_client(store_path: Path) -> None:
    client = MemoryDeploymentClient(uri_of(store_path))
    client.create_endpoint("endpoint", {"tier": "gold"})
    client.create_deployment("first", LINEAR, config={"owner": "me"})
    client.create_deployment("second", CONSTANT, endpoint="endpoint")
    client.update_deployment("first", config={"replicas": 2})
    before = everything(client)
    handle = client.store

    fresh = reopened(store_path)
    assert fresh.store is not handle
    assert everything(fresh) == before
    assert fresh.get_deployment("first")["config"] == {"owner": "me", "replicas": 2}
    assert predictions(fresh, "first") == [0.5]
    assert fresh.predict("second", ROW, endpoint="endpoint")["predictions"].tolist() == [7.0]
    assert fresh.explain("first", ROW)["contributions"] == [[2.0, -2.0]]
    assert list(fresh.predict_stream("second", [[0]] * 3)) == [{"predictions": [7.0] * 3}]


def test_listings_and_gets_have_the_same_shape_as_in_memory(
    durable: MemoryDeploymentClient, namespace: str
) -> None:
    client = MemoryDeploymentClient(f"memory:/{namespace}")
    for target in (durable, client):
        target.create_endpoint("endpoint", {"tier": "gold"})
        target.create_deployment("first", LINEAR, config={"owner": "me"}, endpoint="endpoint")
        target.create_deployment("second", CONSTANT)
    for endpoint in (None, "endpoint"):
        listed = durable.list_deployments(endpoint)
        assert listed == client.list_deployments(endpoint)
        assert all(set(d) == {"name", "flavor", "model_uri", "endpoint", "state"} for d in listed)
    for name in ("first", "second"):
        assert durable.get_deployment(name) == client.get_deployment(name)
    assert durable.get_deployment("first")["config"] == {"owner": "me"}


def test_creation_order_is_kept_across_deletes_and_restarts(store_path: Path) -> None:
    client = MemoryDeploymentClient(uri_of(store_path))
    for name in ["c", "a", "b"]:
        client.create_deployment(name, CONSTANT)
    client.delete_deployment("c")
    client.create_deployment("c", CONSTANT)  # re-created: it goes last, as in memory
    client.update_deployment("a", LINEAR)  # an update keeps its place
    assert [d["name"] for d in reopened(store_path).list_deployments()] == ["a", "b", "c"]


def test_models_load_once_per_process_and_again_after_a_restart(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    real_load = model_cache.load_model

    def counting(model_uri: str, flavor: str | None = None) -> Any:
        loads.append(model_uri)
        return real_load(model_uri, flavor)

    monkeypatch.setattr(model_cache, "load_model", counting)
    client = MemoryDeploymentClient(uri_of(store_path))
    client.create_deployment("model", LINEAR)  # the client's own load fills the cache
    for _ in range(3):
        assert predictions(client, "model") == [0.5]
    assert loads == []
    assert isinstance(client.store.get_deployment("model").model, StoredModel)

    fresh = reopened(store_path)
    for _ in range(3):
        assert predictions(fresh, "model") == [0.5]
    assert loads == [LINEAR]


def test_names_are_kept_byte_for_byte(durable: MemoryDeploymentClient) -> None:
    composed, decomposed = "\u00e9", "e\u0301"  # two different names that look alike
    names = ["../x", "名 前", "a'; DROP TABLE deployments; --", composed, decomposed, "x" * 256]
    for name in names:
        durable.create_deployment(name, CONSTANT)
    assert [d["name"] for d in durable.list_deployments()] == names
    for name in names:
        assert durable.get_deployment(name)["name"] == name


def test_refusals_leave_the_file_as_it_was(durable: MemoryDeploymentClient) -> None:
    durable.create_endpoint("endpoint")
    durable.create_deployment("inside", CONSTANT, endpoint="endpoint")
    before = everything(durable)
    for call, code in [
        (lambda: durable.create_deployment("inside", LINEAR), api.RESOURCE_ALREADY_EXISTS),
        (
            lambda: durable.create_deployment("x", LINEAR, endpoint="none"),
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (lambda: durable.create_deployment("x", "reference:/nosuch"), "INVALID_PARAMETER_VALUE"),
        (lambda: durable.update_deployment("missing", LINEAR), "RESOURCE_DOES_NOT_EXIST"),
        (lambda: durable.get_deployment("inside", endpoint="none"), "RESOURCE_DOES_NOT_EXIST"),
        (lambda: durable.delete_endpoint("endpoint"), "INVALID_PARAMETER_VALUE"),
        (lambda: durable.create_endpoint("endpoint"), "RESOURCE_ALREADY_EXISTS"),
        (lambda: durable.update_endpoint("none", {"a": 1}), "RESOURCE_DOES_NOT_EXIST"),
    ]:
        with pytest.raises(api.MlflowException) as caught:
            call()
        assert caught.value.error_code == code
    assert everything(durable) == before
    durable.delete_deployment("inside", endpoint="other")  # not there: nothing happens
    durable.delete_deployment("inside", endpoint="endpoint")
    durable.delete_deployment("inside", endpoint="endpoint")
    durable.delete_endpoint("endpoint")
    durable.delete_endpoint("endpoint")
    assert (durable.list_deployments(), durable.list_endpoints()) == ([], [])


def test_the_latency_sleep_holds_no_lock(store_path: Path) -> None:
    slow = MemoryDeploymentClient(uri_of(store_path, "?latency=0.5"))
    fast = MemoryDeploymentClient(uri_of(store_path))
    creating = threading.Thread(target=slow.create_deployment, args=("slow", CONSTANT))
    creating.start()
    try:
        # While the slow create sleeps, another writer gets the file at once.
        fast.create_deployment("fast", CONSTANT)
        fast.update_deployment("fast", config={"a": 1})
        assert creating.is_alive()
    finally:
        creating.join()
    assert [d["name"] for d in fast.list_deployments()] == ["fast", "slow"]


def test_a_write_lock_held_too_long_is_temporarily_unavailable_and_reads_go_on(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_SECONDS", 0.05)
    client = MemoryDeploymentClient(uri_of(store_path))
    client.create_deployment("model", CONSTANT)
    # Another process's long write transaction, as a raw connection.
    blocker = sqlite3.connect(store_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        blocker.execute("DELETE FROM deployments")
        with pytest.raises(api.MlflowException, match="write lock") as caught:
            client.create_deployment("other", CONSTANT)
        assert caught.value.error_code == "TEMPORARILY_UNAVAILABLE"
        assert "retry" in caught.value.message
        assert [d["name"] for d in client.list_deployments()] == ["model"]  # WAL: reads go on
        assert predictions(client, "model") == [7.0]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    client.create_deployment("other", CONSTANT)
    assert [d["name"] for d in client.list_deployments()] == ["model", "other"]


def test_opening_an_existing_store_does_not_wait_for_the_write_lock(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemoryDeploymentClient(uri_of(store_path)).create_deployment("model", CONSTANT)
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_SECONDS", 5.0)
    blocker = sqlite3.connect(store_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        blocker.execute("DELETE FROM deployments")
        started = time.monotonic()
        client = reopened(store_path)
        assert [d["name"] for d in client.list_deployments()] == ["model"]
        assert time.monotonic() - started < 1.0
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_creating_a_store_while_another_writer_holds_it_is_busy_not_invalid(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_SECONDS", 0.05)
    blocker = sqlite3.connect(store_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the empty file is being written by someone else
        blocker.execute("CREATE TABLE other (x)")
        with pytest.raises(api.MlflowException, match="is busy") as caught:
            MemoryDeploymentClient(uri_of(store_path))
        assert caught.value.error_code == "TEMPORARILY_UNAVAILABLE"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert MemoryDeploymentClient(uri_of(store_path)).list_deployments() == []


@pytest.mark.parametrize("stored", ["not json", "[1, 2]", ""])
def test_a_config_edited_into_something_else_by_hand_is_an_mlflow_exception(
    durable: MemoryDeploymentClient, store_path: Path, stored: str
) -> None:
    durable.create_endpoint("web", config={"a": 1})
    durable.create_deployment("model", CONSTANT, config={"a": 1}, endpoint="web")
    with sqlite3.connect(store_path) as editor:
        editor.execute("UPDATE deployments SET config = ?", (stored,))
        editor.execute("UPDATE endpoints SET config = ?", (stored,))
    editor.close()
    for call in (
        lambda: durable.get_deployment("model"),
        lambda: durable.update_deployment("model", config={"b": 2}),
        lambda: durable.get_endpoint("web"),
        lambda: durable.list_endpoints(),
        lambda: durable.update_endpoint("web", config={"b": 2}),
    ):
        with pytest.raises(api.MlflowException, match="changed outside the memory target") as c:
            call()
        assert c.value.error_code == api.INTERNAL_ERROR
    assert [d["name"] for d in durable.list_deployments()] == ["model"]  # listing needs no config
    durable.delete_deployment("model")  # and the way out works
    durable.delete_endpoint("web")


def test_dropping_a_durable_store_empties_the_file(store_path: Path) -> None:
    client = MemoryDeploymentClient(uri_of(store_path))
    client.create_endpoint("endpoint")
    client.create_deployment("model", CONSTANT)
    drop_store(str(store_path), str(store_path))
    assert isinstance(get_store("unused", str(store_path)), SQLiteStore)
    assert (client.list_deployments(), client.list_endpoints()) == ([], [])


# -- other processes -------------------------------------------------------------------------------

SUBPROCESS_SCRIPT = """
import json, sys
from reference_target import MemoryDeploymentClient

client = MemoryDeploymentClient(sys.argv[1])
seen = {
    "deployments": [client.get_deployment(d["name"]) for d in client.list_deployments()],
    "endpoints": client.list_endpoints(),
    "first": client.predict("first", [[1.0, 2.0]])["predictions"].tolist(),
}
client.create_deployment("from-child", "reference:/constant?value=3", endpoint="endpoint")
client.update_deployment("first", "reference:/constant?value=7", config={"child": True})
print(json.dumps(seen))
"""


def test_state_crosses_to_another_process_and_back(store_path: Path) -> None:
    client = MemoryDeploymentClient(uri_of(store_path))
    client.create_endpoint("endpoint", {"tier": "gold"})
    client.create_deployment("first", LINEAR, config={"owner": "me"})
    expected = everything(client)

    child = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_SCRIPT, uri_of(store_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert (seen["deployments"], seen["endpoints"]) == expected
    assert seen["first"] == [0.5]

    # This process's handle is still open: it sees the child's changes without reopening.
    assert client.get_deployment("first")["config"] == {"owner": "me", "child": True}
    assert predictions(client, "first") == [7.0]
    assert [d["name"] for d in client.list_deployments(endpoint="endpoint")] == ["from-child"]
    assert predictions(client, "from-child") == [3.0]


PROCESSES = 8
OWN = 60
SHARED = 20
MERGES = 20
ENDPOINT_MERGES = 10
LISTS = 10


def _mixed_work(target_uri: str, index: int, barrier: Any, out: str) -> None:
    """One process's share of the mixed load; what it saw goes to ``out`` as JSON."""
    result: dict[str, Any] = {"wins": [], "losses": [], "endpoint_wins": [], "ops": 0}
    try:
        client = MemoryDeploymentClient(target_uri)
        own = [f"p{index}-{k}" for k in range(OWN)]
        barrier.wait(timeout=60)
        started = time.perf_counter()
        ops = 0
        for k, name in enumerate(own):
            endpoint = "members" if k % 4 == 0 else None
            client.create_deployment(name, CONSTANT, config={"by": index}, endpoint=endpoint)
            ops += 1
        for k in range(SHARED):  # every process tries every shared name, from its own start
            name = f"shared-{(k + 3 * index) % SHARED}"
            try:
                client.create_deployment(name, CONSTANT, config={"winner": index})
                result["wins"].append(name)
            except api.MlflowException as exc:
                result["losses"].append([name, exc.error_code])
            ops += 1
        for name in own:
            assert client.predict(name, ROW)["predictions"].tolist() == [7.0]
            ops += 1
        for name in own[::2]:
            client.update_deployment(name, LINEAR, config={"updated": True})
            assert client.get_deployment(name)["model_uri"] == LINEAR
            ops += 2
        for name in own[1::2]:
            client.delete_deployment(name)
            client.delete_deployment(name)  # idempotent under contention too
            ops += 2
        for step in range(MERGES):
            client.update_deployment("merged", config={f"p{index}-{step}": step})
            ops += 1
        for step in range(ENDPOINT_MERGES):
            client.update_endpoint("members", {f"p{index}-{step}": step})
            ops += 1
        for _ in range(LISTS):
            names = [d["name"] for d in client.list_deployments()]
            assert len(names) == len(set(names))
            ops += 1
        try:
            client.create_endpoint(f"contested-{index % 2}")
            result["endpoint_wins"].append(f"contested-{index % 2}")
        except api.MlflowException as exc:
            assert exc.error_code == api.RESOURCE_ALREADY_EXISTS
        ops += 1
        result["ops"] = ops
        result["seconds"] = time.perf_counter() - started
    except BaseException:
        result["error"] = traceback.format_exc()
    Path(out).write_text(json.dumps(result))


def run_processes(
    target_uri: str, folder: Path, work: Callable[[str, int, Any, str], None] = _mixed_work
) -> list[dict[str, Any]]:
    """Run PROCESSES forked workers released together; each one's result."""
    # fork: the parent may have the file open, so each child must take a connection of its own.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    outs = [folder / f"worker-{index}.json" for index in range(PROCESSES)]
    workers = [
        context.Process(target=work, args=(target_uri, index, barrier, str(out)))
        for index, out in enumerate(outs)
    ]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            worker.join(timeout=120)
            assert worker.exitcode == 0
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
    results = [json.loads(out.read_text()) for out in outs]
    errors = [r["error"] for r in results if "error" in r]
    assert errors == []
    return results


def test_eight_processes_lose_and_duplicate_nothing(store_path: Path, tmp_path: Path) -> None:
    target_uri = uri_of(store_path)
    setup = MemoryDeploymentClient(target_uri)
    setup.create_endpoint("members")
    setup.create_deployment("merged", CONSTANT, config={"initial": True})

    results = run_processes(target_uri, tmp_path)

    ops = sum(r["ops"] for r in results)
    # creates, predicts, update+get of half, two deletes of the other half, and the rest
    per_process = OWN * 2 + OWN + OWN + SHARED + MERGES + ENDPOINT_MERGES + LISTS + 1
    assert ops == PROCESSES * per_process
    shared = {f"shared-{k}" for k in range(SHARED)}
    wins = Counter(name for r in results for name in r["wins"])
    assert wins == Counter({name: 1 for name in shared})
    losses = Counter(tuple(loss) for r in results for loss in r["losses"])
    assert losses == Counter({(name, "RESOURCE_ALREADY_EXISTS"): PROCESSES - 1 for name in shared})
    endpoint_wins = Counter(name for r in results for name in r["endpoint_wins"])
    assert endpoint_wins == Counter({"contested-0": 1, "contested-1": 1})

    check = reopened(store_path)  # read back as a new process would
    deployments, _ = everything(check)
    names = [d["name"] for d in deployments]
    assert len(names) == len(set(names))
    survivors = [f"p{i}-{k}" for i in range(PROCESSES) for k in range(0, OWN, 2)]
    assert set(names) == {"merged", *survivors, *shared}
    by_name = {d["name"]: d for d in deployments}
    for i in range(PROCESSES):
        for k in range(0, OWN, 2):
            deployment = by_name[f"p{i}-{k}"]
            assert deployment["config"] == {"by": i, "updated": True}
            assert deployment["model_uri"] == LINEAR
            assert deployment["endpoint"] == ("members" if k % 4 == 0 else None)
        # Each process's own creates are listed in the order it made them.
        mine = [n for n in names if n.startswith(f"p{i}-")]
        assert mine == [f"p{i}-{k}" for k in range(0, OWN, 2)]
    winner_of = {name: index for index, r in enumerate(results) for name in r["wins"]}
    for name in shared:  # the stored deployment is the winner's
        assert by_name[name]["config"] == {"winner": winner_of[name]}
    assert by_name["merged"]["config"] == {
        "initial": True,
        **{f"p{i}-{step}": step for i in range(PROCESSES) for step in range(MERGES)},
    }
    assert check.get_endpoint("members")["config"] == {
        f"p{i}-{step}": step for i in range(PROCESSES) for step in range(ENDPOINT_MERGES)
    }
    members = {d["name"] for d in check.list_deployments(endpoint="members")}
    assert members == {f"p{i}-{k}" for i in range(PROCESSES) for k in range(0, OWN, 4)}
    endpoints = [e["name"] for e in check.list_endpoints()]
    assert endpoints[0] == "members"
    assert sorted(endpoints) == ["contested-0", "contested-1", "members"]
    with sqlite3.connect(store_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _open_new_file(target_uri: str, index: int, barrier: Any, out: str) -> None:
    result: dict[str, Any] = {}
    try:
        barrier.wait(timeout=60)
        client = MemoryDeploymentClient(target_uri)
        client.create_deployment(f"opened-by-{index}", CONSTANT)
    except BaseException:
        result["error"] = traceback.format_exc()
    Path(out).write_text(json.dumps(result))


def test_eight_processes_can_make_one_new_file_at_once(store_path: Path, tmp_path: Path) -> None:
    # They race to turn on WAL and to create the schema: each must wait its turn, none fail.
    assert not store_path.exists()
    run_processes(uri_of(store_path), tmp_path, _open_new_file)
    client = MemoryDeploymentClient(uri_of(store_path))
    names = sorted(d["name"] for d in client.list_deployments())
    assert names == sorted(f"opened-by-{index}" for index in range(PROCESSES))
    with sqlite3.connect(store_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
    assert tables == [("deployments",), ("endpoints",), ("sqlite_sequence",)]


def _die_while_writing(path: str) -> None:
    store = sqlite_store.open_sqlite_store(path)  # inherited: the child opens its own connection
    with store._transaction(write=True) as cursor:
        cursor.execute("DELETE FROM deployments")
        cursor.execute("DELETE FROM endpoints")
        os._exit(3)  # killed mid-transaction: no commit, no rollback, no cleanup


def test_a_process_that_dies_mid_write_changes_nothing_and_blocks_no_one(
    durable: MemoryDeploymentClient, store_path: Path
) -> None:
    durable.create_endpoint("endpoint")
    durable.create_deployment("model", LINEAR, endpoint="endpoint")
    before = everything(durable)
    child = multiprocessing.get_context("fork").Process(
        target=_die_while_writing, args=(str(store_path),)
    )
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 3
    assert everything(durable) == before
    durable.create_deployment("after", CONSTANT)  # the dead writer's lock went with it
    assert [d["name"] for d in reopened(store_path).list_deployments()] == ["model", "after"]


# -- the model-based test, against a file ----------------------------------------------------------

_FILES = Path(tempfile.mkdtemp(prefix="durable-stateful-"))
atexit.register(shutil.rmtree, _FILES, ignore_errors=True)


class DurableTargetMachine(MemoryTargetMachine):
    """The memory target's state machine, each run on a new store file."""

    def __init__(self) -> None:
        super().__init__()
        self.path = _FILES / f"{uuid.uuid4().hex}.db"
        self.client = MemoryDeploymentClient(f"memory://{self.path}")

    def teardown(self) -> None:
        close_sqlite_store(str(self.path))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        super().teardown()


DurableTargetMachine.TestCase.settings = MemoryTargetMachine.TestCase.settings
TestDurableTarget = DurableTargetMachine.TestCase
