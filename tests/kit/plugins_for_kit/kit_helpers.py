"""Helpers for running the kit under pytester and reading what it left behind."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

import conformance._checks
import conformance.api._targets
import plugins_for_kit._recording
import reference_target
from conformance._catalogue import CATALOGUE
from conformance._judgement import EXIT_CODES, Verdict

# The folder that holds ``plugins_for_kit``: subprocess runs need it on PYTHONPATH.
KIT_TESTS_DIR = Path(__file__).resolve().parent.parent
CHECK_IDS = [check.id for check in CATALOGUE]
# Hypothesis caches what it learns about the code (slow to work out: seconds per process) under
# its home folder. Subprocess runs start in fresh folders, so they are pointed at this
# process's home, the folder pytest was started from unless the environment says otherwise.
HYPOTHESIS_HOME = Path(os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or Path.cwd() / ".hypothesis")
# The one slow check (a few seconds of hypothesis examples) and the other property-based ones;
# most tests judge the run, not these checks, so they leave them out.
FAST = "not class-round-trips and not stateful and not dns-labels"
# The exit code of a run limited with -k, which checks only part of the contract.
INCOMPLETE = EXIT_CODES[Verdict.INCOMPLETE]

# pytester restores sys.modules after each in-process run, so a module first imported inside a
# run is imported afresh by the next one, with new classes: a plugin built on an earlier run's
# BaseDeploymentClient would then have no client class at all. Importing the API, the memory
# target, the recording machinery and every check body here keeps one copy of each for all runs
# (and keeps the runs fast).
conformance._checks.bodies()
_KEEP = (conformance.api._targets, plugins_for_kit._recording, reference_target)


def unique(prefix: str = "kit") -> str:
    """A fresh lowercase name: a target name or memory namespace no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def read_log(path: Path) -> list[dict[str, Any]]:
    """The recording plugins' log, one dict per call; empty when nothing was logged."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    """Each check's outcome in a JSON report."""
    return {check["id"]: check["outcome"] for check in report["checks"]}


def run_kit(
    pytester: pytest.Pytester, *args: str, report: str = "report.json"
) -> tuple[pytest.RunResult, dict[str, Any] | None]:
    """Run pytest in-process with the kit's report on; the result and the report (if written)."""
    result = pytester.runpytest("-p", "no:cacheprovider", f"--conformance-report={report}", *args)
    path = pytester.path / report
    return result, (read_json(path) if path.exists() else None)


def log_calls_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> Path:
    """Make the recording plugins log their calls to ``path`` for the rest of the test."""
    from plugins_for_kit._recording import LOG_ENV

    monkeypatch.setenv(LOG_ENV, str(path))
    return path


# For runs in a subprocess. The environment sets PYTHONDONTWRITEBYTECODE, so pytest would
# rewrite the asserts of every module of every pytest11 distribution (hypothesis's hundred
# among them) afresh in each process: seconds each. The kit's verdicts do not rest on asserts.
SUBPROCESS_ARGS = ("-p", "no:cacheprovider", "--assert=plain")


def subprocess_pythonpath() -> str:
    """The tests folder, then what PYTHONPATH already holds: a checkout put there is the kit a
    subprocess imports, not the installed one."""
    inherited = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(KIT_TESTS_DIR), *([inherited] if inherited else [])])


def prepare_subprocess(monkeypatch: pytest.MonkeyPatch, log: Path | None = None) -> None:
    """Let a subprocess run (and its xdist workers) import plugins_for_kit and log calls."""
    from plugins_for_kit._recording import LOG_ENV

    monkeypatch.setenv("PYTHONPATH", subprocess_pythonpath())
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(HYPOTHESIS_HOME))
    if log is not None:
        monkeypatch.setenv(LOG_ENV, str(log))


PRIMARY_MODEL = "reference:/linear?weights=2,-1&bias=0.5"
SECONDARY_MODEL = "reference:/constant?value=7"


def plugin_args(module: str, namespace: str | None = None) -> list[str]:
    """Arguments that certify plugin ``plugins_for_kit.<module>`` under a fresh target name.

    The target URI's path is the memory namespace the plugin keeps its deployments in: a fresh
    one unless ``namespace`` is given, so no other run shares its store.
    """
    return [
        f"--deployment-target={unique()}:/{namespace or unique('ns')}",
        f"--deployment-plugin=plugins_for_kit.{module}",
        f"--deployment-model-uri={PRIMARY_MODEL}",
        f"--deployment-model-uri={SECONDARY_MODEL}",
    ]
