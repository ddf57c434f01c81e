"""The kit under pytest-xdist: two workers run the checks, the controller writes one report.

Workers share a run only when the client is declared not thread-safe (scenarios one by one);
otherwise the scenarios run concurrently in one process, and ``-n N`` keeps the run there. One
spread run, in a subprocess, is shared by most tests here: starting two workers costs seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from plugins_for_kit.kit_helpers import (
    CHECK_IDS,
    HYPOTHESIS_HOME,
    SUBPROCESS_ARGS,
    outcomes,
    read_json,
    read_log,
    subprocess_pythonpath,
    unique,
)

# A conftest for the run's folder, so the controller and both workers load it. It records each
# call of the report hook, and, wrapping the memory target's own create methods, the name of
# everything the kit creates and the worker that created it.
CONFTEST = """
    import functools
    import json
    import os

    from reference_target.client import MemoryDeploymentClient


    def _log(path, **entry):
        entry["worker"] = os.environ.get("PYTEST_XDIST_WORKER")
        with open(path, "a") as log:
            log.write(json.dumps(entry) + "\\n")


    def _spy(method):
        @functools.wraps(method)  # keeps the signature the kit inspects
        def spied(self, name, *args, **kwargs):
            _log("creates.jsonl", op=method.__name__, name=name)
            return method(self, name, *args, **kwargs)

        return spied


    def pytest_configure(config):
        for method in ("create_deployment", "create_endpoint"):
            setattr(MemoryDeploymentClient, method, _spy(getattr(MemoryDeploymentClient, method)))


    def pytest_conformance_report(config, report):
        _log("report-hook-calls.jsonl", checks=len(report.checks))
"""


@dataclass
class XdistRun:
    returncode: int
    output: str
    report: dict[str, Any]
    report_hook_calls: list[dict[str, Any]]
    creates: list[dict[str, Any]]


@pytest.fixture(scope="module")
def xdist_run(tmp_path_factory: pytest.TempPathFactory) -> XdistRun:
    """``pytest -n 2 --conformance-thread-safe=off --deployment-target=memory:/<namespace>``, run
    once for this module: the one mode in which workers share the checks."""
    import textwrap

    folder = tmp_path_factory.mktemp("xdist-run")
    (folder / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment["PYTHONPATH"] = subprocess_pythonpath()
    environment["HYPOTHESIS_STORAGE_DIRECTORY"] = str(HYPOTHESIS_HOME)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *SUBPROCESS_ARGS,
            "-n",
            "2",
            "--conformance-thread-safe=off",
            f"--deployment-target=memory:/{unique('xd')}",
            "--conformance-report=report.json",
        ],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report_path = folder / "report.json"
    assert report_path.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    return XdistRun(
        completed.returncode,
        completed.stdout,
        read_json(report_path),
        read_log(Path(folder / "report-hook-calls.jsonl")),
        read_log(Path(folder / "creates.jsonl")),
    )


def test_two_workers_pass_every_check(xdist_run: XdistRun) -> None:
    assert xdist_run.returncode == 0, xdist_run.output[-3000:]
    assert [c["id"] for c in xdist_run.report["checks"]] == CHECK_IDS
    assert set(outcomes(xdist_run.report).values()) == {"passed"}
    assert xdist_run.report["summary"]["leftovers"] == []
    assert "verdict: CONFORMANT" in xdist_run.output


def test_the_controller_alone_writes_the_report_with_both_workers_statistics(
    xdist_run: XdistRun,
) -> None:
    assert xdist_run.report_hook_calls == [{"checks": len(CHECK_IDS), "worker": None}]
    assert xdist_run.report["statistics"]["workers"] == 2
    successful = xdist_run.report["summary"]["deployments_created"]
    assert 0 < successful <= sum(e["op"] == "create_deployment" for e in xdist_run.creates)


def test_each_worker_names_what_it_creates_with_its_own_prefix(xdist_run: XdistRun) -> None:
    # names.hostile tries '../<prefix>-escape' and the like on purpose; the rest are plain.
    plain = [e for e in xdist_run.creates if not e["name"].startswith("../")]
    prefixes = {
        worker: {"-".join(e["name"].split("-")[:3]) for e in plain if e["worker"] == worker}
        for worker in ("gw0", "gw1")
    }

    assert {e["worker"] for e in xdist_run.creates} == {"gw0", "gw1"}
    assert len(prefixes["gw0"]) == 1
    assert len(prefixes["gw1"]) == 1
    assert next(iter(prefixes["gw0"])).endswith("-w0")
    assert next(iter(prefixes["gw1"])).endswith("-w1")


def test_every_scenario_group_has_its_place_in_the_slowest_first_order() -> None:
    """Under xdist the kit sorts its checks by its group order: a group missing there cannot run."""
    from conformance._checks import groups, slowest_groups

    order = slowest_groups()
    assert set(groups().values()) == set(order)
    assert len(order) == len(set(order))


def test_concurrent_scenarios_keep_the_run_in_one_process_and_say_why(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment["PYTHONPATH"] = subprocess_pythonpath()
    environment["HYPOTHESIS_STORAGE_DIRECTORY"] = str(HYPOTHESIS_HOME)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *SUBPROCESS_ARGS,
            "-n",
            "3",
            f"--deployment-target=memory:/{unique('xd1')}",
            "--conformance-report=report.json",
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = read_json(tmp_path / "report.json")

    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "running in this process, not on 3 xdist workers" in completed.stdout
    # xdist says "created: N/N workers" when it starts them.
    assert re.search(r"created: \d+/\d+ worker", completed.stdout) is None
    assert report["statistics"]["workers"] == 1  # this process, as in a serial run
    assert set(outcomes(report).values()) == {"passed"}
    assert report["summary"]["deployments_created"] == 6  # the shared deployment made once


def test_a_short_scenario_shares_the_worker_of_what_it_reads_a_last_one_too() -> None:
    """Spread over workers, a scenario on another worker than the one it reads would build
    what it reads a second time (the shared deployment, say): one deployment and wait more."""
    from conformance._checks import scenarios, slowest_groups
    from conformance._scenarios import LONG_CHAIN

    declared = scenarios()
    for scenario in declared.values():
        if scenario.depends_on and scenario.waits < LONG_CHAIN:
            assert scenario.group == scenario.depends_on[0].group, scenario.name
    assert declared["response class"].group == declared["shared deployment"].group
    # Hosting a last scenario does not send the shared deployment's group to the end.
    order = slowest_groups()
    assert order.index("shared deployment") < order.index("foreign resources") == len(order) - 1
