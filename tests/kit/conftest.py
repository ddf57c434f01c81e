"""``run_kit_on_plugin``: the whole kit, run in process, on a plugin module of tests/plugins."""

from __future__ import annotations

import importlib
import itertools
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PLUGINS_DIR = Path(__file__).resolve().parent.parent / "plugins"
# Two models that predict differently on the kit's sample input.
MODEL_URIS = ("reference:/linear?weights=2,-1&bias=0.5", "reference:/constant?value=7")
# Imported once, before any run: pytester drops the modules a run imports when it ends, and
# numpy or protobuf cannot be imported twice in one process.
_MACHINERY = ("numpy", "pandas", "orjson", "jsonschema", "conformance._session", "reference_target")


@pytest.fixture(scope="session")
def _kit_warmed_up() -> None:
    """Import what every run needs, and let hypothesis import its lazy internals, once."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

    from conformance._checks import bodies
    from conformance.api._mlflow import mlflow_available

    for module in _MACHINERY:
        importlib.import_module(module)
    bodies()  # imports every check module
    if mlflow_available():
        importlib.import_module("mlflow.deployments")
        importlib.import_module("mlflow.pyfunc")

    # pytest rewrites hypothesis' modules as it imports them: once here, not in every run.
    @settings(max_examples=2, database=None, deadline=None)
    @given(st.recursive(st.integers() | st.text(), st.lists, max_leaves=3))
    def property_(value: Any) -> None:
        del value

    class Machine(RuleBasedStateMachine):
        @rule(value=st.sampled_from([1, 2]))
        def step(self, value: int) -> None:
            del value

    property_()
    run_state_machine_as_test(
        Machine, settings=settings(max_examples=2, stateful_step_count=2, database=None)
    )


_RUNS = itertools.count(1)


@dataclass
class KitRun:
    """One run of the kit: its exit code, its JSON report and the pytester result."""

    ret: int
    report: dict[str, Any]
    result: pytest.RunResult
    report_path: Path

    @property
    def outcomes(self) -> dict[str, str]:
        return {check["id"]: check["outcome"] for check in self.report["checks"]}

    def check(self, check_id: str) -> dict[str, Any]:
        return next(check for check in self.report["checks"] if check["id"] == check_id)

    def with_outcome(self, *outcomes: str) -> set[str]:
        return {check_id for check_id, got in self.outcomes.items() if got in outcomes}

    @property
    def failing(self) -> set[str]:
        """Checks that failed or could not be judged, whatever their level."""
        return self.with_outcome("failed", "could-not-check")


RunKit = Callable[..., KitRun]


@pytest.fixture
def run_kit_on_plugin(
    _kit_warmed_up: None, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> RunKit:
    """A function that runs the kit on ``tests/plugins/<module>.py`` and returns a KitRun.

    Each run gets a target name of its own: in-process runs share the target registries.
    """
    pytester.syspathinsert(PLUGINS_DIR)
    for sample in (PLUGINS_DIR / "inputs").iterdir():  # for KIT_ARGS such as --deployment-input
        shutil.copy(sample, pytester.path / sample.name)
    monkeypatch.setenv("CI", "1")  # the kit derandomises its property checks in CI

    def run(
        module: str | None, *args: str, target: str | None = None, model_uris: bool = True
    ) -> KitRun:
        """``model_uris=False`` leaves the models to the kit: its own default models."""
        name = target or f"kit-{module.replace('_', '-')}-{next(_RUNS)}"
        report = pytester.path / f"report-{next(_RUNS)}.json"
        arguments = [f"--deployment-target={name}", f"--conformance-report={report}"]
        if module is not None:
            arguments.append(f"--deployment-plugin={module}")
            if model_uris:
                arguments += [f"--deployment-model-uri={uri}" for uri in MODEL_URIS]
        # A generous limit turns an unexpected hang into a failure; a run may lower it.
        arguments += ["--conformance-timeout=30", "-p", "no:cacheprovider", *args]
        result = pytester.runpytest(*arguments)
        assert report.is_file(), f"no report was written:\n{result.stdout.str()[-3000:]}"
        return KitRun(int(result.ret), json.loads(report.read_text()), result, report)

    return run
