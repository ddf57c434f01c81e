"""From a failure to its fix: the calls a check made, the plugin's traceback, a reproducer
script that fails on the broken plugin and passes on a correct one, and how to re-run."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import conformance
from conformance._recording import CallLog, scenario_label, summarise
from conformance.api import load_target_module
from conformance.api._errors import MlflowException
from conformance.report import SCHEMA_PATH
from tests.kit.conftest import MODEL_URIS, PLUGINS_DIR, KitRun, RunKit

ROOT = Path(conformance.__file__).resolve().parent.parent


def _run_script(path: Path, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """A reproducer as a plugin author runs it: python, the plugin importable, nothing else."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(PLUGINS_DIR)]),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [sys.executable, str(path), *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _run_with_plugin(
    script: str, plugin: str, tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    """``script`` run as it was written, but loading ``plugin`` as its plugin module."""
    path = tmp_path / f"{plugin}-{len(list(tmp_path.glob('*.py')))}.py"
    path.write_text(re.sub(r"(?m)^PLUGIN_MODULE = .*$", f"PLUGIN_MODULE = {plugin!r}", script))
    return _run_script(path, tmp_path, *arguments)


def _assert_each_reproducer_judges(
    run: KitRun, module: str, correct: str, tmp_path: Path, checks: set[str] | None = None
) -> None:
    """Each failing check's script (of ``checks``, or all) judges as the check does: it exits 1
    against ``module`` and 0 once ``correct`` takes its place, and it says which check and why."""
    for check_id in sorted(checks or run.failing):
        script = run.check(check_id)["reproducer"]
        assert "problem = same_as_in_the_run" not in script, check_id
        assert "CANNOT_JUDGE" not in script, check_id
        assert f"PLUGIN_MODULE = {module!r}" in script, check_id
        broken = _run_with_plugin(script, module, tmp_path)
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert f"{check_id}: FAILED" in broken.stdout, broken.stdout + broken.stderr
        correct_run = _run_with_plugin(script, correct, tmp_path)
        assert correct_run.returncode == 0, correct_run.stdout + correct_run.stderr
        assert f"{check_id}: passed" in correct_run.stdout


# Broken plugins whose failures are judged over several calls (the lifecycle, the config-only
# update, the bad model's aftermath, endpoints, names, shared state, the race, the responses),
# with the correct plugin each breaks and the arguments it runs with.
_MULTI_STEP = [
    ("broken_update_ignores_model", "good", ()),
    ("broken_update_crashes_without_model", "good", ()),
    ("broken_list_cached", "good", ()),
    ("broken_delete_leaves_tombstones", "good", ()),
    ("broken_registers_before_loading", "good", ()),
    ("broken_create_returns_early", "good", ()),
    ("broken_predict_casts_input", "good", ()),
    ("broken_ragged_predictions", "good", ()),
    ("broken_from_json_drops_metadata", "good", ()),
    ("broken_to_json_ignores_path", "good", ()),
    ("broken_to_json_writes_nan", "good", ()),
    ("broken_unknown_format_falls_back", "good", ()),
    ("broken_numpy_in_dicts", "good", ()),
    ("broken_names_as_paths", "good", ()),
    ("broken_state_on_client", "good", ()),
    ("broken_create_race", "good", ()),
    ("broken_stream_yields_bytes", "good", ()),
    ("broken_explain_returns_sdk_object", "good", ()),
    ("broken_target_help_prints", "good", ()),
    ("broken_documented_run_local", "good", ()),
    ("broken_chat_returns_dict", "variant_chat_messages", ("--deployment-input=chat.json",)),
    ("broken_endpoint_create_returns_none", "good", ()),
    ("broken_endpoint_create_upserts", "good", ()),
    ("broken_endpoint_get_raw_reply", "good", ()),
    ("broken_endpoint_list_strings", "good", ()),
    ("broken_endpoint_ignored_on_create", "good", ()),
    ("broken_endpoint_update_drops_deployments", "good", ()),
    ("broken_endpoint_delete_leaves_dangling", "good", ()),
    ("broken_endpoint_predict_returns_dict", "good", ()),
    ("broken_endpoint_datetime_in_dicts", "good", ()),
]


@pytest.mark.parametrize(
    ("module", "correct", "extra"), _MULTI_STEP, ids=[m for m, _, _ in _MULTI_STEP]
)
def test_multi_step_reproducers_assert_what_their_check_asserts(
    run_kit_on_plugin: RunKit, module: str, correct: str, extra: tuple[str, ...], tmp_path: Path
) -> None:
    run = run_kit_on_plugin(module, *extra)
    assert run.failing
    _assert_each_reproducer_judges(run, module, correct, tmp_path)


@pytest.mark.parametrize(
    ("module", "check_id", "replayed"),
    [
        # The example hypothesis shrank the failure to, built into the target's class again.
        ("broken_to_json_rounds", "predictions.class-round-trips", "class_round_trips("),
        # The shrunk sequence, each step judged against a model of the contract.
        ("broken_update_ignores_model", "stateful.lifecycle", "contract("),
        ("broken_names_versioned", "names.dns-labels-round-trip", "contract("),
    ],
)
def test_generated_failures_are_replayed_from_the_shrunk_example(
    run_kit_on_plugin: RunKit, module: str, check_id: str, replayed: str, tmp_path: Path
) -> None:
    run = run_kit_on_plugin(module, "--conformance-hypothesis=thorough")
    assert run.check(check_id)["outcome"] == "failed"
    script = run.check(check_id)["reproducer"]
    assert f"problem = {replayed}" in script
    # A pass of a sequence replayed alone says it is alone: the run had other deployments.
    sequence = check_id in ("stateful.lifecycle", "names.dns-labels-round-trip")
    assert ("this replays the sequence without the run's other scenarios" in script) == sequence
    # Only the generated check: with a thorough run's many deployments at once, a first-page
    # listing fails other checks too, which a script's few deployments cannot show.
    _assert_each_reproducer_judges(run, module, "good", tmp_path, {check_id})


def test_a_sequence_that_failed_beside_other_scenarios_is_replayed_beside_stand_ins(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    """The listing shows a first page only: the run's shared deployment, on the target while
    the sequence ran, pushed one of the sequence's own off it. The script creates a stand-in
    for it first, so the shrunk sequence fails alone too."""
    run = run_kit_on_plugin(
        "broken_list_first_page_only",
        "--conformance-hypothesis=thorough",
        "--conformance-thread-safe=off",
    )
    script = run.check("stateful.lifecycle")["reproducer"]
    assert re.search(r"creates stand-ins for the \d+ deployment\(s\)", " ".join(script.split()))
    assert re.search(r"-(?:m|w\d+)-shared-1'", script.split("try:")[-1])
    _assert_each_reproducer_judges(
        run, "broken_list_first_page_only", "good", tmp_path, {"stateful.lifecycle"}
    )


def test_a_sequence_is_replayed_after_the_writes_that_ended_the_one_before_it(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    """Every delete restarts the plugin's one model server: the failing sequence's predict
    failed because the sequence before it had just deleted its deployment. The script makes
    that delete first, so the shrunk sequence fails alone too."""
    run = run_kit_on_plugin("broken_delete_restarts_server", "--conformance-thread-safe=off")
    assert run.check("stateful.lifecycle")["outcome"] == "failed"
    script = run.check("stateful.lifecycle")["reproducer"]
    assert "before_sequence_1 = call('delete_deployment'" in script
    _assert_each_reproducer_judges(
        run, "broken_delete_restarts_server", "good", tmp_path, {"stateful.lifecycle"}
    )


def test_a_predictions_reproducer_names_the_container_the_model_answered_in(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    pytest.importorskip("mlflow")  # the broken plugin answers in MLflow's response class
    run = run_kit_on_plugin("broken_predict_converts_arrays_only", model_uris=False)
    path = tmp_path / "json-round-trip.py"
    path.write_text(run.check("predictions.json-round-trip")["reproducer"])

    result = _run_script(path, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"call \d of \d \(model output: a list of numpy int64", result.stdout), (
        result.stdout
    )


def test_checks_that_had_no_model_to_deploy_get_a_script_that_says_so_and_one_line(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    """Without MLflow the kit makes models for the memory target only: on another target
    without --deployment-model-uri, the deploying checks could not run. That is the run's
    setting, not the plugin's failure: their scripts say so and exit 2, and the summary
    gives the cause once."""
    if importlib.util.find_spec("mlflow") is not None:
        pytest.skip("with MLflow the kit makes models for any target")
    run = run_kit_on_plugin("good", "--conformance-reproducers=repro", model_uris=False)
    blocked = run.with_outcome("could-not-check")
    assert blocked and not run.with_outcome("failed")
    shared = [line for line in run.result.outlines if "no model to deploy to" in line]
    assert len(shared) == 1 and shared[0].startswith(f"  {len(blocked)} checks ("), shared
    # Re-running a selection could not deploy either: the hint is the models.
    hint = run.result.outlines.index("re-run with two models to deploy:")
    assert "--deployment-model-uri=PRIMARY_URI" in run.result.outlines[hint + 1]
    assert " -k " not in run.result.outlines[hint + 1]
    for check_id in ("deployment.create.returns-name", "endpoint.update.returns"):
        path = tmp_path / f"{check_id}.py"
        path.write_text(run.check(check_id)["reproducer"])
        result = _run_script(path, tmp_path)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "not judged: the run had no model to deploy" in result.stdout


def test_the_predictions_checks_judge_every_predict_of_the_prediction_scenario(
    tmp_path: Path,
) -> None:
    """A response broken on the second predict alone fails the script: each one is judged."""
    import pandas as pd

    from conformance._catalogue import PREDICTION, SHARED, by_id
    from conformance._recording import Call
    from conformance._reproducers import reproducer_script

    name = "mdc-abc123-m-shared-1"
    calls = [
        Call(
            1,
            "create_deployment",
            (name, MODEL_URIS[0], None),
            {"config": {}},
            made_for=scenario_label(SHARED),
        ),
        Call(
            2,
            "predict",
            (name, pd.DataFrame({"x1": [1.0], "x2": [2.0]})),
            {},
            made_for=scenario_label(PREDICTION),
        ),
        Call(
            3,
            "predict",
            (name, pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.5, -1.0, 4.0]})),
            {},
            made_for=scenario_label(PREDICTION),
        ),
    ]
    script = reproducer_script(
        by_id("predictions.formats"),
        calls,
        "get_predictions('ndarray') raised ...",
        target="kit-every-predict",
        plugin="broken_ragged_predictions",
        token="abc123",
    )
    assert "problem = each([outcome_2, outcome_3], formats)" in script
    result = _run_with_plugin(script, "broken_ragged_predictions", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "call 2 of 2: get_predictions('ndarray')" in result.stdout
    assert _run_with_plugin(script, "good", tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("module", "check_id", "harm"),
    [
        ("broken_delete_removes_stale", "resources.foreign-kept", "deployment team-fraud"),
        (
            "broken_create_migrates_flavors",
            "resources.foreign-unchanged",
            "deployment team-fraud: flavor 'sklearn' -> 'python_function'",
        ),
    ],
)
def test_a_foreign_resource_reproducer_risks_no_one_elses_resources_unless_told_to(
    run_kit_on_plugin: RunKit, module: str, check_id: str, harm: str, tmp_path: Path
) -> None:
    """These plugins' targets hold their users' deployments: the script refuses to replay the
    harm on them, and watches them (and shows the harm) once told to."""
    run = run_kit_on_plugin(module)
    script = run.check(check_id)["reproducer"]

    refused = _run_with_plugin(script, module, tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "already holds 7 deployment(s) or endpoint(s)" in refused.stdout
    assert "--include-existing" in refused.stdout

    broken = _run_with_plugin(script, module, tmp_path, "--include-existing")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert f"{check_id}: FAILED" in broken.stdout
    assert harm in broken.stdout

    correct = _run_with_plugin(script, "variant_foreign_resources", tmp_path, "--include-existing")
    assert correct.returncode == 0, correct.stdout + correct.stderr
    assert f"{check_id}: passed" in correct.stdout


# Forgets that others use the target: a delete also removes every deployment this process
# did not create, taking them for an earlier session's orphans.
_SESSION_BOUND = """
import reference_target.client as memory
from reference_target import run_local, target_help

_MINE = set()


class SessionBoundClient(memory.MemoryDeploymentClient):
    def create_deployment(self, name, *args, **kwargs):
        created = super().create_deployment(name, *args, **kwargs)
        _MINE.add(name)
        return created

    def delete_deployment(self, name, config=None, endpoint=None):
        super().delete_deployment(name, config, endpoint)
        for other in super().list_deployments():
            if other["name"] not in _MINE:
                super().delete_deployment(other["name"], endpoint=other.get("endpoint"))
"""


def test_a_foreign_resource_reproducer_makes_its_bystanders_in_another_process(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    """On a target shared between processes, the bystanders come from another process, as
    another user's would: a plugin that deletes what its own process did not create is caught,
    and the correct plugin passes and is left with nothing of the script's."""
    from reference_target.client import MemoryDeploymentClient

    run = run_kit_on_plugin("broken_delete_removes_stale")
    script = run.check("resources.foreign-kept")["reproducer"]
    store = tmp_path / "store.db"
    script = re.sub(r"(?m)^TARGET = .*$", f"TARGET = 'memory://{store}'", script)
    script = re.sub(r"(?m)^register_target\('[^']*'", "register_target('memory'", script)
    (tmp_path / "session_bound.py").write_text(_SESSION_BOUND)

    result = _run_with_plugin(script, "session_bound", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not seen here" not in result.stdout  # made by the other process, seen by this one
    assert re.search(r"are gone: deployment team-[a-z0-9]{6}-scorer", result.stdout)

    result = _run_with_plugin(script, "reference_target", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    left = MemoryDeploymentClient(f"memory://{store}")
    assert left.list_deployments() == []
    assert left.list_endpoints() == []


@pytest.mark.parametrize(
    ("module", "extra"),
    [
        ("broken_delete_not_idempotent", ()),
        ("broken_conflict_wrong_code", ()),
        ("broken_conflict_swaps_model", ()),
        ("broken_get_missing_returns_none", ()),
        ("broken_update_missing_bare_exception", ()),
        ("broken_create_returns_raw_reply", ()),
        ("broken_config_none_crash", ()),
        # Enough generated sequences for one to find the bug: stateful.lifecycle fails too.
        ("broken_predict_missing_returns_empty", ("--conformance-hypothesis=thorough",)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_reproducer_fails_on_the_broken_plugin_and_passes_on_a_correct_one(
    run_kit_on_plugin: RunKit, module: str, extra: tuple[str, ...], tmp_path: Path
) -> None:
    run = run_kit_on_plugin(module, "--conformance-reproducers=repro", *extra)
    folder = run.report_path.parent / "repro"

    assert run.failing
    for check_id in sorted(run.failing):
        entry = run.check(check_id)
        script = folder / f"{check_id}.py"
        assert entry["reproducer"] == script.read_text()
        assert entry["reproducer_path"] == "repro/" + script.name
        assert f"PLUGIN_MODULE = {module!r}" in entry["reproducer"]

        broken = _run_script(script, tmp_path)
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert f"{check_id}: FAILED" in broken.stdout
        assert "expected: " in broken.stdout and "actual: " in broken.stdout

        correct = _run_with_plugin(entry["reproducer"], "good", tmp_path)
        assert correct.returncode == 0, correct.stdout + correct.stderr
        assert f"{check_id}: passed" in correct.stdout
    if extra:
        stateful = run.check("stateful.lifecycle")
        assert stateful["outcome"] == "failed"
        # The shrunk failing sequence alone is replayed: one sequence's names, not every one's.
        assert "replays the last generated sequence" in stateful["reproducer"]
        replay = stateful["reproducer"].split("try:")[-1].splitlines()
        # The judged calls; stand-ins for other scenarios' deployments (another sequence's,
        # say) come first, and the previous sequence's teardown is made unjudged before them.
        judged = [line for line in replay if line.strip().startswith("outcome_")]
        found = re.search(r"stand-ins for the (\d+)", " ".join(stateful["reproducer"].split()))
        stand_ins = int(found.group(1)) if found else 0
        replayed = re.findall(r"-(?:m|w\d+)-(s[0-9a-f]{4})-", "\n".join(judged[stand_ins:]))
        assert len(set(replayed)) == 1
    # Checks that passed get no reproducer; nothing else was written.
    assert {p.stem for p in folder.iterdir()} == run.failing
    assert run.check("module.loads")["reproducer"] is None


def test_the_report_lists_each_checks_calls_with_bounded_summaries(
    run_kit_on_plugin: RunKit,
) -> None:
    run = run_kit_on_plugin("broken_delete_not_idempotent")
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(run.report)

    calls = run.check("deployment.delete.idempotent")["calls"]
    methods = [call["method"] for call in calls]
    # The lifecycle scenario's calls, which the check judges, are its calls too: the delete and
    # the delete again, which raises (the check stops there, before the never-created name).
    assert methods.count("delete_deployment") == 2
    race = next(call for call in calls if call.get("copies"))
    assert race["method"] == "create_deployment" and len(race["outcomes"]) == race["copies"]
    raised = [call for call in calls if call["method"] == "delete_deployment"][1:]
    assert [call["outcome"] for call in raised] == ["raised"]
    assert "MlflowException" in raised[0]["error"]["type"]
    assert "No deployment named" in raised[0]["error"]["message"]
    predict = next(call for call in calls if call["method"] == "predict")
    assert predict["arguments"][1] == "DataFrame(3x2, columns=[x1, x2])"
    assert all(call["seconds"] >= 0 for call in calls)
    # Another check that judges the same scenario lists the same calls.
    removes = run.check("deployment.delete.removes")
    assert [c["seq"] for c in removes["calls"]] == [c["seq"] for c in calls][
        : len(removes["calls"])
    ]
    for check in run.report["checks"]:
        for call in check["calls"]:
            texts = [*call["arguments"], call.get("value") or ""]
            assert all("\n" not in text and len(text) <= 200 for text in texts)


def test_a_failure_shows_the_plugins_traceback_without_the_kits_frames(
    run_kit_on_plugin: RunKit,
) -> None:
    run = run_kit_on_plugin("broken_delete_not_idempotent", "--conformance-reproducers=repro")

    traceback = run.check("deployment.delete.idempotent")["traceback"]
    assert "broken_delete_not_idempotent.py" in traceback
    assert "self.get_deployment(name, endpoint)" in traceback
    assert "conformance/_tracking.py" not in traceback
    assert "concurrent/futures" not in traceback
    text = run.result.stdout.str()
    assert "The plugin's traceback (the kit's own frames hidden):" in text
    assert "reproducer: repro/deployment.delete.idempotent.py" in text
    run.result.stdout.fnmatch_lines(
        ["re-run only these checks:", "  pytest * -k deployment.delete.idempotent"]
    )


def test_tb_no_hides_the_traceback_and_verbose_prints_the_reproducer(
    run_kit_on_plugin: RunKit,
) -> None:
    quiet = run_kit_on_plugin("broken_delete_not_idempotent", "--tb=no")
    assert "The plugin's traceback" not in quiet.result.stdout.str()

    short = run_kit_on_plugin("broken_delete_not_idempotent", "--tb=short", "-k", "idempotent")
    section = short.result.stdout.str().split("The plugin's traceback")[1].split("=====")[0]
    assert 'good.py", line' in section  # the innermost frame alone
    assert "broken_delete_not_idempotent.py" not in section

    verbose = run_kit_on_plugin("broken_delete_not_idempotent", "-v", "-k", "idempotent")
    text = verbose.result.stdout.str()
    assert "reproducer script:" in text
    assert "CHECK = 'deployment.delete.idempotent'" in text


def test_last_failed_reruns_only_the_failed_checks(run_kit_on_plugin: RunKit) -> None:
    first = run_kit_on_plugin("broken_delete_not_idempotent", "-p", "cacheprovider")
    assert "deployment.delete.idempotent" in first.with_outcome("failed")

    again = run_kit_on_plugin(
        "broken_delete_not_idempotent", "-p", "cacheprovider", "--lf", target="kit-lf-again"
    )
    ran = {check_id for check_id, outcome in again.outcomes.items() if outcome != "not-run"}
    assert ran == {"deployment.delete.idempotent"}


def test_an_import_error_names_the_file_and_line_and_shows_its_traceback(
    run_kit_on_plugin: RunKit,
) -> None:
    run = run_kit_on_plugin("broken_import_error")

    loads = run.check("module.loads")
    assert loads["outcome"] == "failed"
    assert "broken_import_error.py, line 6" in loads["message"]
    assert "broken_import_error.py" in loads["traceback"]
    assert "raise ImportError" in loads["traceback"]
    assert "importlib" not in loads["traceback"]


def test_an_unknown_target_suggests_the_closest_installed_names() -> None:
    with pytest.raises(MlflowException, match=r"Did you mean 'memory'\?"):
        load_target_module("memroy")
    with pytest.raises(MlflowException) as unlike:
        load_target_module("zzzzqqqq")
    assert "Did you mean" not in str(unlike.value)


def test_calls_belong_to_their_check_and_to_every_check_judging_their_scenario() -> None:
    log = CallLog()
    with log.working_for(scenario_label("shared")):
        log.record("create_deployment", ("a", "m"), {}, 0.1, value={"name": "a"})
    with log.working_for("check.one"):
        log.relies_on("shared")
        log.record("get_deployment", ("a",), {}, 0.1, error=KeyError("a"))
    with log.working_for("check.two"):
        log.relies_on("shared")
    log.record("list_deployments", (), {}, 0.1, value=[])  # no check: not recorded

    assert [c.method for c in log.calls_for("check.one")] == ["create_deployment", "get_deployment"]
    assert [c.method for c in log.calls_for("check.two")] == ["create_deployment"]
    entry = log.report_entries("check.one")[1]
    assert entry["outcome"] == "raised" and entry["error"] == {"type": "KeyError", "message": "'a'"}


def test_a_call_that_failed_after_other_scenarios_wrote_is_replayed_after_those_writes(
    tmp_path: Path,
) -> None:
    """Every delete restarts the plugin's one model server, so the next predict fails: in a
    run, another scenario's delete can come between the shared deployment's create and this
    check's predict. The script makes that delete too (under its own names), so it fails on
    the broken plugin alone and passes on a correct one."""
    import pandas as pd

    from conformance._catalogue import by_id
    from conformance._reproducers import reproducer_script

    token, frame = "abc123", pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.5, -1.0, 4.0]})
    shared, other = f"mdc-{token}-m-shared-1", f"mdc-{token}-m-lifecycle-1"
    restarting = MlflowException("The model server is restarting.", "INTERNAL_ERROR")
    log = CallLog()
    with log.working_for(scenario_label("shared")):
        log.record("create_deployment", (shared, MODEL_URIS[0], None), {"config": {}}, 0.1)
    with log.working_for(scenario_label("lifecycle")):
        log.record("create_deployment", (other, MODEL_URIS[0], None), {"config": {}}, 0.1)
        log.record("delete_deployment", (other,), {}, 0.1)
    with log.working_for("predict.returns-response"):
        log.relies_on("shared")
        log.record("predict", (shared, frame), {}, 0.1, error=restarting)
    script = reproducer_script(
        by_id("predict.returns-response"),
        log.calls_for("predict.returns-response"),
        f"predict({shared!r}, <DataFrame (3, 2)>) raised MlflowException: {restarting}",
        target="restartx",
        plugin="broken_delete_restarts_server",
        token=token,
        meanwhile=log.writes_between,
    )
    replay = script.split("try:")[-1]
    assert replay.index("meanwhile_2_") < replay.index("outcome_2 = call('predict'")
    assert "the failure may be their doing" in " ".join(script.split())

    result = _run_with_plugin(script, "broken_delete_restarts_server", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "restarting" in result.stdout
    result = _run_with_plugin(script, "good", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_get_that_answers_for_a_gone_name_shows_what_it_returned(
    run_kit_on_plugin: RunKit,
) -> None:
    run = run_kit_on_plugin("broken_get_missing_returns_none")
    for check_id, after in (
        ("deployment.delete.removes", "after delete"),
        ("deployment.create.bad-model-leaves-nothing", "after a failed create"),
    ):
        message = run.check(check_id)["message"]
        assert f"still answers {after}: it returned None instead of raising" in message, message


def test_summaries_stay_on_one_bounded_line() -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": range(1000), "b": range(1000)})
    assert summarise(frame) == "DataFrame(1000x2, columns=[a, b])"
    nested = summarise({"predictions": frame, "text": "x\n" * 500})
    assert "\n" not in nested and len(nested) <= 200


def test_a_plugin_that_does_not_load_gets_one_reproducer_shared_by_every_blocked_check(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    run = run_kit_on_plugin("broken_import_error", "--conformance-reproducers=repro")
    folder = run.report_path.parent / "repro"

    # One file, the loading check's: the checks it blocked share it.
    assert [p.name for p in folder.iterdir()] == ["module.loads.py"]
    script = (folder / "module.loads.py").read_text()
    blocked = run.with_outcome("could-not-check")
    assert len(blocked) > 40
    for check_id in blocked | {"module.loads"}:
        entry = run.check(check_id)
        assert entry["reproducer"] == script
        assert entry["reproducer_path"] == "repro/module.loads.py"
    text = run.result.stdout.str()
    summary = text.split("deployment conformance:")[1]
    assert summary.count("reproducer: repro/") == 1
    # The blocked checks share a line per cause, not one line each.
    blocked_section = summary.split("Could not check")[1].split("\n\n")[0]
    shared = [line for line in blocked_section.splitlines() if " checks (" in line]
    assert shared and sum(int(line.split()[0]) for line in shared) == len(blocked)
    assert not any(line.startswith(f"  {c}:") for c in blocked for line in summary.splitlines())

    broken = _run_script(folder / "module.loads.py", tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "module.loads: FAILED" in broken.stdout
    assert "acme_serving_sdk" in broken.stdout
    correct = _run_with_plugin(script, "good", tmp_path)
    assert correct.returncode == 0, correct.stdout + correct.stderr
    assert "module.loads: passed" in correct.stdout
