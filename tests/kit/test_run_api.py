"""``conformance.run()``: the whole contract from a script, whatever folder the script runs in."""

from __future__ import annotations

import contextlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from plugins_for_kit.kit_helpers import CHECK_IDS, unique

import conformance
from conformance.report import Report

# A caller's folder with its own pytest configuration and tests: run() must touch neither.
CALLER_CONFTEST = """
from pathlib import Path

Path(__file__).with_name("caller-conftest-loaded").write_text("yes")
"""
CALLER_TEST = """
from pathlib import Path


def test_caller():
    Path(__file__).with_name("caller-test-ran").write_text("yes")
    raise AssertionError("the caller's own test must not run")
"""


@dataclass
class ScriptRun:
    report: Report
    folder: Path
    output: str
    cwd_after: str


@pytest.fixture(scope="module")
def script_run(tmp_path_factory: pytest.TempPathFactory) -> ScriptRun:
    """One ``conformance.run()`` of the memory target from a folder with its own tests."""
    folder = tmp_path_factory.mktemp("caller")
    (folder / "conftest.py").write_text(CALLER_CONFTEST)
    (folder / "test_caller.py").write_text(CALLER_TEST)
    (folder / "pytest.ini").write_text("[pytest]\naddopts = --strict-config -x\n")
    previous = os.getcwd()
    output = io.StringIO()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(output):
            report = conformance.run(
                f"memory:/{unique('script')}",
                report=str(folder / "absolute-report.json"),
                certificate="relative-certificate.md",
            )
        cwd_after = os.getcwd()
    finally:
        os.chdir(previous)
    return ScriptRun(report, folder, output.getvalue(), cwd_after)


def test_run_returns_a_report_with_every_check_passed(script_run: ScriptRun) -> None:
    report = script_run.report

    assert isinstance(report, Report)
    assert [c.id for c in report.checks] == CHECK_IDS
    assert {c.outcome for c in report.checks} == {"passed"}
    assert report.summary()["conformant"] is True
    # A default run's budget: real targets take minutes per deployment, whatever memory takes.
    assert 0 < report.statistics["deployments_created"] <= 6


def test_run_writes_the_report_it_was_given(script_run: ScriptRun) -> None:
    written = json.loads((script_run.folder / "absolute-report.json").read_text())

    assert written["target"] == script_run.report.target
    assert written["summary"] == script_run.report.summary()


def test_run_leaves_the_callers_configuration_and_tests_alone(script_run: ScriptRun) -> None:
    assert not (script_run.folder / "caller-conftest-loaded").exists()
    assert not (script_run.folder / "caller-test-ran").exists()
    assert "test_caller" not in script_run.output
    assert script_run.cwd_after == str(script_run.folder)


def test_a_relative_path_is_relative_to_the_callers_folder(script_run: ScriptRun) -> None:
    certificate = script_run.folder / "relative-certificate.md"

    assert certificate.exists()
    assert "**Verdict: conformant**" in certificate.read_text()


@pytest.mark.parametrize("option", ["bogus", "target", "deployment_target"])
def test_an_unknown_option_is_a_type_error_naming_it(option: str) -> None:
    with pytest.raises(TypeError, match=f"unknown option '{option}'"):
        conformance.run("memory", **{option: "x"})


class _FakeMain:
    """Stands in for pytest.main: records the arguments, and hands over a report or not."""

    def __init__(self, report: bool) -> None:
        self.report = report
        self.arguments: list[str] = []

    def __call__(self, arguments: list[str], plugins: list[Any]) -> int:
        self.arguments = list(arguments)
        if self.report:
            plugins[0].pytest_conformance_report(config=None, report=Report.empty("memory"))
        return 0


def test_run_turns_profile_keys_into_command_line_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = _FakeMain(report=True)
    monkeypatch.setattr(pytest, "main", fake)

    report = conformance.run(
        "mytarget:/region",
        plugin="my_plugin",
        model_uris=["models:/a/1", "models:/b/1"],
        config={"replicas": 2},
        capabilities={"endpoints": False, "explain": True},
        xfail={"names.hostile": "names are sanitised on purpose"},
        strict=True,
        sweep=False,
        timeout=5,
    )

    assert isinstance(report, Report)
    assert fake.arguments[0] == "--deployment-target=mytarget:/region"
    for expected in [
        "--deployment-plugin=my_plugin",
        "--deployment-model-uri=models:/a/1",
        "--deployment-model-uri=models:/b/1",
        "--deployment-config=replicas=2",
        "--conformance-capability=endpoints=off",
        "--conformance-capability=explain=on",
        "--conformance-xfail=names.hostile=names are sanitised on purpose",
        "--conformance-strict",
        "--conformance-timeout=5",
    ]:
        assert expected in fake.arguments
    assert "--conformance-sweep" not in fake.arguments


def test_run_without_a_report_says_how_to_see_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytest, "main", _FakeMain(report=False))

    with pytest.raises(RuntimeError, match="ended before it produced a report"):
        conformance.run("memory")
