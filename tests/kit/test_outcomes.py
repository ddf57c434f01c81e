"""Each check's outcome and the run's exit code: passes, MUST and SHOULD failures, expected
failures, zero applicable checks, a plugin that does not import, and a plugin that hangs."""

from __future__ import annotations

import time

import pytest
from plugins_for_kit.kit_helpers import (
    CHECK_IDS,
    FAST,
    INCOMPLETE,
    outcomes,
    plugin_args,
    run_kit,
    unique,
)

CREATE_RETURNS = ("-k", "deployment.create.returns")


def test_a_conformant_target_exits_zero(pytester: pytest.Pytester) -> None:
    result, report = run_kit(pytester, f"--deployment-target=memory:/{unique()}", "-k", FAST)

    assert report is not None
    assert result.ret == INCOMPLETE
    assert report["summary"]["verdict"] == "incomplete"  # -k: part of the contract
    selected = [c for c in report["checks"] if c["message"] != "not run: deselected"]
    assert {c["outcome"] for c in selected} == {"passed"}


def test_a_should_failure_warns_unless_strict(pytester: pytest.Pytester) -> None:
    lenient, lenient_report = run_kit(pytester, *plugin_args("no_flavor"), *CREATE_RETURNS)
    strict, strict_report = run_kit(
        pytester, *plugin_args("no_flavor"), *CREATE_RETURNS, "--conformance-strict"
    )

    assert lenient_report is not None and strict_report is not None
    # pytest sees a pass with a warning; the report calls it what it is.
    lenient.assert_outcomes(passed=2, deselected=len(CHECK_IDS) - 2, warnings=1)
    assert lenient.ret == INCOMPLETE
    assert outcomes(lenient_report)["deployment.create.returns-flavor"] == "failed"
    assert lenient_report["summary"]["should_failures"] == ["deployment.create.returns-flavor"]
    assert lenient_report["summary"]["must_failures"] == []
    strict.assert_outcomes(passed=1, failed=1, deselected=len(CHECK_IDS) - 2)
    assert strict.ret == INCOMPLETE
    assert outcomes(strict_report)["deployment.create.returns-flavor"] == "failed"


def test_a_waiver_of_a_check_that_passes_is_stale(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-xfail=deployment.create.returns-name=tracked as BUG-1",
        "-k",
        "deployment.create.returns-name",
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    check = next(c for c in report["checks"] if c["id"] == "deployment.create.returns-name")
    assert check["outcome"] == "passed"
    assert check["waiver"] == "tracked as BUG-1"
    assert report["summary"]["waivers"][0]["outcome"] == "stale"


def test_a_waived_must_failure_is_waived(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester,
        *plugin_args("failing_predict"),
        "--conformance-xfail=predict.returns-response=scoring is not wired up yet",
        "-k",
        "predict.returns-response",
    )

    assert report is not None
    assert outcomes(report)["predict.returns-response"] == "waived"
    assert report["summary"]["must_failures"] == []
    assert result.ret == INCOMPLETE  # -k: only part of the contract was judged


def test_an_expected_failure_that_cannot_be_judged_is_consistent(
    pytester: pytest.Pytester,
) -> None:
    # predictions.formats needs a working predict: with this plugin it cannot be judged.
    result, report = run_kit(
        pytester,
        *plugin_args("failing_predict"),
        "--conformance-xfail=predictions.formats=scoring is not wired up yet",
        "-k",
        "predictions.formats",
    )

    assert report is not None
    # Whatever the verdict, the exit code and the report must agree on it.
    assert (result.ret == 0) is report["summary"]["conformant"]


def test_an_unknown_waiver_id_is_a_usage_error_naming_it(pytester: pytest.Pytester) -> None:
    result, _ = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-xfail=deployment.create.retruns-name=typo",
        "-k",
        "deployment.create.returns-name",
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown check ids: deployment.create.retruns-name*"])


def test_zero_applicable_checks_fail_the_run_declared_absent(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-capability=endpoints=off",
        "-k",
        "endpoint",
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    assert set(outcomes(report).values()) == {"not-applicable", "not-run"}
    assert report["summary"]["verdict"] == "incomplete"
    assert report["summary"]["conformant"] is False


def test_zero_applicable_checks_fail_the_run_statically_absent(
    pytester: pytest.Pytester,
) -> None:
    result, report = run_kit(pytester, *plugin_args("no_endpoints"), "-k", "endpoint")

    assert report is not None
    assert result.ret == INCOMPLETE
    assert report["summary"]["verdict"] == "incomplete"
    assert report["summary"]["conformant"] is False


def test_a_plugin_that_does_not_import_fails_module_loads_only(
    pytester: pytest.Pytester,
) -> None:
    result, report = run_kit(pytester, *plugin_args("broken_import"), "-k", FAST)

    assert report is not None
    # 1 is "tests failed": no internal error (3) and no usage error (4).
    assert result.ret == INCOMPLETE
    assert {
        k: v for k, v in outcomes(report).items() if v not in ("could-not-check", "not-run")
    } == {"module.loads": "failed"}
    loads = report["checks"][0]
    assert "failed to import" in loads["message"]
    assert "some_sdk_this_plugin_needs" in loads["message"]
    assert report["summary"]["must_failures"] == ["module.loads"]
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_a_hanging_call_fails_its_check_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    started = time.perf_counter()
    result, report = run_kit(
        pytester,
        *plugin_args("hanging"),
        "--conformance-timeout=1",
        "-k",
        "explain or stream or deployment.create.returns-name",
    )
    seconds = time.perf_counter() - started

    assert report is not None
    assert seconds < 20
    assert result.ret == INCOMPLETE
    explain = next(c for c in report["checks"] if c["id"] == "explain.returns-json-able")
    assert explain["outcome"] == "failed"
    assert "did not return within 1 s" in explain["message"]
    # The check after the hung call (stream, next in the catalogue) gets a fresh thread and
    # passes, and teardown still deletes the shared deployment.
    assert outcomes(report)["deployment.create.returns-name"] == "passed"
    assert outcomes(report)["stream.yields-dicts"] == "passed"
    assert report["summary"]["leftovers"] == []
