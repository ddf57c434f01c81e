"""The kit certifies the durable memory target: in one process, and with four xdist workers
sharing one store file.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference_target import MemoryDeploymentClient
from reference_target.store import close_sqlite_store

# Imported before any in-process run: pytester forgets the modules a run imports, and numpy
# or protobuf cannot be imported a second time in one process.
_MACHINERY = ("numpy", "pandas", "orjson", "jsonschema", "conformance._session", "reference_target")
# Every name the kit makes holds its worker's prefix: mdc-<token>-<worker tag>.
_PREFIX = re.compile(r"mdc-([a-z0-9]{6})-(m|w\d+)")
WORKERS = 4


@pytest.fixture(scope="module", autouse=True)
def _machinery_imported() -> None:
    from conformance._checks import bodies
    from conformance.api._mlflow import mlflow_available

    for module in _MACHINERY:
        importlib.import_module(module)
    bodies()
    if mlflow_available():
        importlib.import_module("mlflow.deployments")
        importlib.import_module("mlflow.pyfunc")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "store" / "deployments.db"
    path.parent.mkdir()
    yield path
    close_sqlite_store(str(path))


def rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    """Everything in ``table`` of the store file, read with SQLite directly."""
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT * FROM {table}").fetchall()


def certified(report: dict[str, Any], target_uri: str) -> dict[str, Any]:
    """The summary, once it shows every check passed and nothing left behind."""
    summary = report["summary"]
    not_passed = {c["id"]: c["message"] for c in report["checks"] if c["outcome"] != "passed"}
    assert not_passed == {}
    assert summary["counts"]["passed"] == summary["total"] > 0
    assert summary["conformant"] is True
    assert summary["leftovers"] == []
    assert report["target"] == target_uri
    return summary


def test_the_kit_certifies_a_durable_store(pytester: pytest.Pytester, store: Path) -> None:
    target_uri = f"memory://{store}"
    report_path = pytester.path / "report.json"
    result = pytester.runpytest(
        f"--deployment-target={target_uri}",
        f"--conformance-report={report_path}",
        "-p",
        "no:cacheprovider",
        "-q",
    )
    report = json.loads(report_path.read_text())
    summary = certified(report, target_uri)
    assert result.ret == 0
    assert summary["deployments_created"] > 0
    # The kit made the file, used it and cleaned it up: it is a store, and an empty one.
    assert rows(store, "deployments") == []
    assert rows(store, "endpoints") == []
    assert MemoryDeploymentClient(target_uri).list_deployments() == []


AUDIT = (
    "CREATE TABLE audit (kind TEXT NOT NULL, name TEXT NOT NULL)",
    "CREATE TRIGGER audit_deployments AFTER INSERT ON deployments "
    "BEGIN INSERT INTO audit VALUES ('deployment', NEW.name); END",
    "CREATE TRIGGER audit_endpoints AFTER INSERT ON endpoints "
    "BEGIN INSERT INTO audit VALUES ('endpoint', NEW.name); END",
)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("mlflow") is not None,
    reason="run without MLflow only: MLflow plays no part in sharing the file, and each of "
    "the four workers would spend seconds importing it",
)
def test_four_workers_share_one_durable_store(pytester: pytest.Pytester, store: Path) -> None:
    target_uri = f"memory://{store}"
    # Make the store, then have SQLite note every name inserted into it during the run.
    MemoryDeploymentClient(target_uri)
    close_sqlite_store(str(store))
    with sqlite3.connect(store) as connection:
        for statement in AUDIT:
            connection.execute(statement)
    report_path = pytester.path / "report.json"

    result = pytester.runpytest_subprocess(
        f"--deployment-target={target_uri}",
        f"--conformance-report={report_path}",
        "-n",
        str(WORKERS),
        "--conformance-thread-safe=off",  # spread the scenarios over the workers
        "-p",
        "no:cacheprovider",
        "-q",
        timeout=300,
    )

    report = json.loads(report_path.read_text())
    summary = certified(report, target_uri)
    assert result.ret == 0
    assert report["statistics"]["workers"] == WORKERS
    assert rows(store, "deployments") == []
    assert rows(store, "endpoints") == []

    audited = rows(store, "audit")
    assert sum(kind == "deployment" for kind, _ in audited) == summary["deployments_created"]
    # Each name carries the prefix of the one worker that made it: mdc-<run token>-w<N>.
    tags: set[str] = set()
    for _, name in audited:
        prefixes = _PREFIX.findall(name)
        assert len(prefixes) == 1, name
        tags.add(prefixes[0][1])
    assert tags <= {f"w{index}" for index in range(WORKERS)}
    # xdist hands out checks as workers ask, so a worker may get none that create anything;
    # but more than one worker wrote to the file.
    assert len(tags) >= 2
