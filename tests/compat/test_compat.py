"""The kit against published plugins, and the kit's own targets under each supported MLflow,
each in an environment of noxfile.py (see run_compat.py).

The runs are opt-in (``-m compat``): a first run builds each venv from PyPI, which takes
minutes. Each run asserts the exact set of failing check ids recorded in the target's
expected.json, or the verdict recorded in mlflow-matrix.json. The checks of the folders' own
data run always and are quick.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import run_compat
import tomllib

from conformance._catalogue import CATALOGUE

_IDS = {check.id for check in CATALOGUE}


MATRIX = run_compat.Matrix.load()
VERDICTS = {"conformant", "conformant-with-waivers", "not-conformant", "incomplete"}


def _opt_in(request: pytest.FixtureRequest, what: str) -> None:
    if "compat" not in (request.config.option.markexpr or ""):
        pytest.skip(
            f"opt-in: select with `-m compat`; it builds {what}'s environment from PyPI "
            "(minutes, once per machine) and runs the kit there"
        )


def _certify(name: str, request: pytest.FixtureRequest) -> run_compat.Run:
    """Build the target's venv if needed and run the kit there; skip when not asked for."""
    _opt_in(request, name)
    result = run_compat.run(run_compat.Target.load(name))
    if result.build_error:
        pytest.skip(
            f"pip cannot install tests/compat/{name}/requirements.txt: " + result.build_error
        )
    return result


@pytest.mark.compat
def test_sagemaker_on_moto_fails_exactly_the_confirmed_checks(
    request: pytest.FixtureRequest,
) -> None:
    result = _certify("sagemaker", request)
    assert result.matches, result.mismatch()
    checks = {c["id"]: c for c in result.report["checks"]}
    # What moto cannot do gives no verdict, and says why.
    assert result.environment == {
        "deployment.update.switches-model",
        "deployment.update.returns-flavor",
    }
    for check_id in result.environment:
        # Waived: it failed on moto's missing action, or could not check because of it.
        assert checks[check_id]["outcome"] in ("waived", "could-not-check")
        # Either moto's missing action is the reason, or the check could not look because of
        # another update the same client refuses (reported by that check).
        message = checks[check_id]["message"]
        assert (
            "update_endpoint action has not been implemented" in message
            or checks[check_id]["outcome"] == "could-not-check"
        ), message
    assert checks["deployment.create.config-none"]["outcome"] == "passed"
    assert checks["predict.missing-raises"]["outcome"] == "passed"
    assert result.report["statistics"]["leftovers"] == []


@pytest.mark.compat
def test_crusoe_fails_exactly_the_confirmed_checks_and_writes_only_in_its_folder(
    request: pytest.FixtureRequest,
) -> None:
    result = _certify("crusoe", request)
    assert result.matches, result.mismatch()
    filesystem = result.report["statistics"]["environment"]["filesystem"]
    # '../<name>' escaped the store, but only into the store's parent inside the temp folder.
    store = Path(filesystem["store"])
    assert len(filesystem["outside_store"]) == 1
    escaped = Path(filesystem["outside_store"][0])
    assert escaped.parent == store.parent
    assert escaped.name.endswith("-escape.json")
    assert filesystem["outside_temporary_folder"] == []
    assert filesystem["files_left_outside_store"] == []
    assert filesystem["stub_requests"] > 0


@pytest.mark.compat
def test_gateway_client_fails_only_where_it_is_wrong(request: pytest.FixtureRequest) -> None:
    result = _certify("gateway", request)
    assert result.matches, result.mismatch()
    checks = {c["id"]: c for c in result.report["checks"]}
    # Deployment checks cannot apply to a client without deployments: no verdict, no blame.
    assert result.environment == set(result.target.not_applicable)
    assert all(checks[c]["outcome"] in ("waived", "could-not-check") for c in result.environment)
    assert checks["module.loads"]["outcome"] == "passed"


@pytest.mark.compat
def test_triton_control_module_checks_catch_the_documented_run_local(
    request: pytest.FixtureRequest,
) -> None:
    result = _certify("triton-control", request)
    assert result.matches, result.mismatch()
    judged = {c["id"] for c in result.report["checks"] if c["outcome"] in ("passed", "failed")}
    assert judged == {c.id for c in CATALOGUE if c.id.startswith("module.")}


@pytest.mark.compat
@pytest.mark.parametrize("version", list(MATRIX.mlflow))
def test_the_kits_targets_get_their_verdict_under_every_mlflow(
    request: pytest.FixtureRequest, version: str
) -> None:
    _opt_in(request, f"mlflow-{version}")
    results = run_compat.run_mlflow(MATRIX, version)
    assert [r.subject.name for r in results] == list(MATRIX.subjects)
    problems = [r.mismatch() for r in results if r.mismatch()]
    assert not problems, "\n".join(problems)
    for result in results:
        # The run really had the MLflow it was meant to have, or none at all.
        assert result.report["versions"].get("mlflow") == (MATRIX.release(version) or "absent")
        assert result.report["statistics"]["leftovers"] == []


# -- the folders' own data, checked on every run --------------------------------------------------


@pytest.mark.parametrize("target", run_compat.all_targets(), ids=lambda t: t.name)
def test_expected_failures_name_catalogue_checks_with_a_reason(target: run_compat.Target) -> None:
    failing = target.expected.get("failing", {})
    assert set(failing) <= _IDS, sorted(set(failing) - _IDS)
    assert all(len(reason) > 20 for reason in failing.values())
    assert target.title and target.expected.get("plugin_version")
    if target.blocked:
        assert not failing, "a target that cannot run here has no confirmed failures"


@pytest.mark.parametrize("target", run_compat.all_targets(), ids=lambda t: t.name)
def test_no_verdict_checks_do_not_overlap_plugin_failures(target: run_compat.Target) -> None:
    no_verdict = target.no_verdict
    assert set(no_verdict) <= _IDS
    assert not set(no_verdict) & target.expected_failing
    profile_path = target.folder / "profile.toml"
    profile = tomllib.loads(profile_path.read_text()) if profile_path.is_file() else {}
    assert set(profile.get("xfail", {})) == set(no_verdict), (
        "every xfail reason starts with 'environment:' or 'not applicable:'"
    )


def test_requirements_pin_every_package() -> None:
    for target in run_compat.all_targets():
        pins = target.requirements
        assert pins and all("==" in line for line in pins), target.name


def test_failing_ignores_environment_checks_unless_they_pass() -> None:
    target = run_compat.Target.load("sagemaker")
    environment = next(iter(target.environment_xfails))
    checks = [
        {"id": environment, "outcome": "waived", "message": "NotImplementedError"},
        {"id": "deployment.get.returns-name", "outcome": "failed", "message": "no name"},
        {"id": "predictions.formats", "outcome": "could-not-check", "message": "no response"},
        {"id": "module.loads", "outcome": "passed", "message": ""},
    ]
    result = run_compat.Run(target, 1, 1.0, "", {"checks": checks})
    assert result.failing == {"deployment.get.returns-name", "predictions.formats"}
    checks[0] = {"id": environment, "outcome": "passed", "message": ""}
    assert environment in run_compat.Run(target, 1, 1.0, "", {"checks": checks}).failing


def test_the_matrix_gives_a_verdict_for_every_subject_under_every_mlflow() -> None:
    assert None in MATRIX.mlflow.values(), "one run has no MLflow at all"
    pinned = [r for r in MATRIX.mlflow.values() if r]
    assert pinned and all(r.startswith("mlflow-skinny==") for r in pinned)
    for subject in MATRIX.subjects.values():
        assert set(subject.verdicts) == set(MATRIX.mlflow), subject.name
        assert set(subject.verdicts.values()) <= VERDICTS
        for version, failing in subject.failing.items():
            assert version in MATRIX.mlflow and set(failing) <= _IDS
        if subject.package:
            assert (run_compat.ROOT / subject.package / "pyproject.toml").is_file()


def test_a_matrix_run_reports_what_differs_from_its_expected_verdict() -> None:
    subject = MATRIX.subjects["memory"]
    checks = [
        {"id": "module.loads", "level": "MUST", "outcome": "passed", "message": ""},
        {"id": "stream.yields-dicts", "level": "MUST", "outcome": "could-not-check", "message": ""},
    ]
    report = {"versions": {"mlflow": "2.9.1"}, "summary": {"conformant": False}, "checks": checks}
    result = run_compat.MatrixRun("2.9", subject, "2.9.2", report, {}, "")
    problem = result.mismatch()
    assert "ran under MLflow 2.9.1, not 2.9.2" in problem
    assert "not-conformant, expected conformant" in problem
    assert "stream.yields-dicts fails" in problem
    assert run_compat.MatrixRun("2.9", subject, "2.9.2", {}, {}, "boom").verdict == "not run"


def test_pip_error_keeps_the_reason_and_drops_the_index_noise() -> None:
    output = "\n".join(
        [
            "WARNING: Location 'file:///x/simple/ray/' is ignored: it is neither a file nor a "
            "directory.",
            "ERROR: Could not find a version that satisfies the requirement ray==9.9",
            "ERROR: No matching distribution found for ray==9.9",
        ]
    )
    reason = run_compat._pip_error(output)
    assert "No matching distribution found for ray==9.9" in reason
    assert "is ignored" not in reason


def test_page_lists_every_target_and_every_confirmed_failure() -> None:
    page = run_compat.render_page(run_compat.all_targets(), MATRIX)
    for target in run_compat.all_targets():
        assert target.title in page
        if target.report_path.is_file():
            report = json.loads(target.report_path.read_text())
            for check_id in target.expected.get("failing", {}):
                if any(c["id"] == check_id for c in report["checks"]):
                    assert f"`{check_id}`" in page


def _table(page: str, header: str) -> list[list[str]]:
    """The rows of the Markdown table whose header row starts with ``header``."""
    lines = page.split(header, 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_page_matrices_hold_one_short_verdict_per_cell_in_plain_text() -> None:
    page = run_compat.render_page(run_compat.all_targets(), MATRIX)
    versions = _table(page, "| target |")
    published = _table(page, "| plugin |")
    assert [row[0] for row in versions] == [s.title for s in MATRIX.subjects.values()]
    assert len(published) == len(run_compat.all_targets())
    for row in versions + published:
        # Reasons go in the sections below the tables, never in a cell.
        assert all(len(cell) <= 32 for cell in row[1:]), row
    # Marks that a browser without an emoji font draws as empty boxes.
    assert not any(mark in page for mark in ("\u2705", "\u274c", "\u26a0"))
    for release in filter(None, (MATRIX.release(v) for v in MATRIX.mlflow)):
        assert f"MLflow {release}" in page


def test_only_a_session_that_never_ran_the_kit_blames_the_environment() -> None:
    target = run_compat.Target.load("crusoe")
    output = "ERROR: No matching distribution found for mlflow-crusoe==9.9"
    unbuilt = run_compat.Run(target, 1, 1.0, output, {}, {})
    assert "No matching distribution found" in unbuilt.build_error
    # The kit ran (its timing was recorded) but wrote no report: a failure, not a skip.
    crashed = run_compat.Run(target, 1, 1.0, output, {}, {"run_seconds": 1.0})
    assert crashed.build_error == ""
    assert not crashed.matches
    assert "no report was written" in crashed.mismatch()
