"""Verdicts a user can certify on: every run ends, always reports, and says "conformant" only
when it has earned it. Each test is one way a run used to end wrong, with a plugin of
tests/plugins that misbehaves in exactly that way.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from plugins_for_kit.kit_helpers import INCOMPLETE, SUBPROCESS_ARGS, unique

ROOT = Path(__file__).resolve().parents[2]
PLUGINS_DIR = ROOT / "tests" / "plugins"
MODEL_URIS = ("reference:/linear?weights=2,-1&bias=0.5", "reference:/constant?value=7")
KitRun = Any  # conftest.KitRun: one run of the kit, from the run_kit_on_plugin fixture
RunKit = Any


def _summary(run: KitRun) -> dict[str, Any]:
    return run.report["summary"]


def _nothing_left(run: KitRun) -> None:
    assert _summary(run)["leftovers"] == []


# -- one vocabulary ---------------------------------------------------------------------------


def test_a_waived_must_failure_is_conformant_with_waivers_and_says_why(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    certificate = tmp_path / "CERTIFICATE.md"
    run = run_kit_on_plugin(
        "broken_config_none_crash",
        "--conformance-xfail=deployment.create.config-none=tracked as ACME-12",
        f"--conformance-certificate={certificate}",
    )

    assert run.ret == 0
    assert _summary(run)["verdict"] == "conformant-with-waivers"
    assert _summary(run)["waivers"] == [
        {
            "id": "deployment.create.config-none",
            "level": "MUST",
            "reason": "tracked as ACME-12",
            "outcome": "waived",
        }
    ]
    assert run.check("deployment.create.config-none")["outcome"] == "waived"
    text = certificate.read_text()
    assert "**Verdict: conformant-with-waivers**" in text
    assert "tracked as ACME-12" in text
    terminal = run.result.stdout.str()
    assert "tracked as ACME-12" in terminal
    assert "verdict: CONFORMANT-WITH-WAIVERS" in terminal
    # pytest sees the declared waiver as an expected failure, and nothing else as one.
    assert run.result.parseoutcomes().get("xfailed") == 1


def test_a_waiver_of_a_passing_check_is_stale(run_kit_on_plugin: RunKit) -> None:
    run = run_kit_on_plugin(
        "good", "--conformance-xfail=deployment.get.missing-raises=no longer needed"
    )

    assert run.ret == 0
    assert _summary(run)["verdict"] == "conformant"
    assert _summary(run)["waivers"][0]["outcome"] == "stale"
    assert "stale: the check passes, remove the waiver" in run.result.stdout.str()


def test_an_unknown_waiver_id_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--deployment-target=memory", "--conformance-xfail=no.such=x"
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--conformance-xfail on the command line*unknown check ids*"])


def test_a_deselected_run_is_incomplete_and_keeps_the_certificate(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    certificate = tmp_path / "CERTIFICATE.md"
    certificate.write_text("the certificate of a whole run\n")
    run = run_kit_on_plugin(
        "good", "-k", "module.loads", f"--conformance-certificate={certificate}"
    )

    assert run.ret == INCOMPLETE
    assert _summary(run)["verdict"] == "incomplete"
    assert any("did not run" in reason for reason in _summary(run)["incomplete_because"])
    assert certificate.read_text() == "the certificate of a whole run\n"
    assert "certificate NOT written" in run.result.stdout.str()


def test_every_capability_declared_absent_is_incomplete(run_kit_on_plugin: RunKit) -> None:
    arguments = [
        f"--conformance-capability={name}=off"
        for name in ("core", "endpoints", "explain", "stream", "run_local")
    ]
    run = run_kit_on_plugin("good", *arguments)

    assert run.ret == INCOMPLETE
    assert _summary(run)["verdict"] == "incomplete"
    assert "no check of the 'core' capability was judged" in _summary(run)["incomplete_because"]


def test_should_failures_never_show_as_xfailed(run_kit_on_plugin: RunKit) -> None:
    run = run_kit_on_plugin("broken_create_without_flavor")

    assert run.ret == 0
    assert _summary(run)["verdict"] == "conformant"
    assert "deployment.create.returns-flavor" in _summary(run)["should_failures"]
    parsed = run.result.parseoutcomes()
    assert "xfailed" not in parsed
    assert parsed.get("warnings", 0) >= 1
    # The verdict line, the JSON summary and pytest agree on the numbers.
    counts = _summary(run)["counts"]
    assert f"{counts['passed']} passed, {counts['failed']} failed" in run.result.stdout.str()


def test_counts_agree_between_terminal_json_and_certificate(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    certificate = tmp_path / "CERTIFICATE.md"
    run = run_kit_on_plugin(
        "broken_predict_returns_dict", f"--conformance-certificate={certificate}"
    )

    assert run.ret == 1
    counts = _summary(run)["counts"]
    assert sum(counts.values()) == _summary(run)["total"]
    words = ", ".join(
        f"{counts[key]} {key.replace('-', ' ')}"
        for key in ("passed", "failed", "could-not-check", "not-applicable", "waived", "not-run")
    )
    assert f"Checks: {words}." in certificate.read_text()
    line = next(x for x in run.result.outlines if x.startswith("verdict: NOT-CONFORMANT"))
    assert f"{counts['could-not-check']} could not check" in line


# -- the run always ends, cleans up and reports -----------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "hostile_sys_exit_in_delete",
        "hostile_keyboard_interrupt_in_delete",
        "hostile_keyboard_interrupt_in_create",
        "hostile_custom_base_exception",
        "hostile_os_exit_in_delete",
    ],
)
def test_a_base_exception_from_the_plugin_is_a_failed_check(
    run_kit_on_plugin: RunKit, module: str
) -> None:
    run = run_kit_on_plugin(module)

    assert run.ret == 1
    assert _summary(run)["verdict"] == "not-conformant"
    assert _summary(run)["counts"]["not-run"] == 0
    messages = " ".join(c["message"] for c in run.report["checks"])
    assert "not an Exception" in messages or "os._exit(0)" in messages


def test_a_create_that_lands_after_its_timeout_is_cleaned_up(run_kit_on_plugin: RunKit) -> None:
    import good

    target = f"late-{unique()}"
    run = run_kit_on_plugin(
        "hostile_slow_create_lands_late", "--conformance-timeout=1", target=target
    )

    assert run.ret == 1
    assert "did not return within 1 s" in run.check("deployment.create.returns-name")["message"]
    # Cleanup waited for the abandoned create to land, then deleted it.
    assert _summary(run)["leftovers"] == []
    time.sleep(3.5)  # longer than the create's delay: nothing may land after the run either
    assert list(good.store_for(target).deployments) == []


def _subprocess_run(
    module: str, tmp_path: Path, *args: str, timeout: float = 120, **environ: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *SUBPROCESS_ARGS,
        f"--deployment-target=h-{unique()}",
        f"--deployment-plugin={module}",
        *(f"--deployment-model-uri={uri}" for uri in MODEL_URIS),
        f"--conformance-report={report}",
        *args,
    ]
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PLUGINS_DIR), str(ROOT)]),
        **environ,
    }
    completed = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=timeout
    )
    return completed, report


@pytest.mark.slow
def test_a_call_that_holds_the_gil_ends_within_timeout_plus_grace(tmp_path: Path) -> None:
    from conformance._watchdog import GRACE_SECONDS

    started = time.monotonic()
    completed, report = _subprocess_run(
        "hostile_holds_the_gil", tmp_path, "--conformance-timeout=2"
    )
    elapsed = time.monotonic() - started

    assert completed.returncode != 0
    assert elapsed < 2 + GRACE_SECONDS + 20  # start-up and the report, on a loaded machine
    data = json.loads(report.read_text())
    assert data["ending"] == "process-ended"
    assert data["summary"]["verdict"] in ("not-conformant", "incomplete")
    failed = [c for c in data["checks"] if c["outcome"] == "failed"]
    assert failed and "holds the GIL" in failed[0]["message"]
    assert "watchdog ended the process" in completed.stderr


@pytest.mark.slow
def test_a_segfault_still_gives_a_report_and_a_non_zero_exit(tmp_path: Path) -> None:
    completed, report = _subprocess_run("hostile_segfault_in_predict", tmp_path)

    assert completed.returncode != 0
    data = json.loads(report.read_text())
    assert data["ending"] == "process-ended"
    assert data["summary"]["verdict"] != "conformant"
    failed = [c for c in data["checks"] if c["outcome"] == "failed"]
    # Scenarios run at once, so other calls may be in flight when predict ends the process: the
    # message names one of them.
    assert failed and "the process ended during" in failed[0]["message"]


@pytest.mark.slow
def test_ctrl_c_stops_the_run_cleans_up_and_reports_incomplete(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    certificate = tmp_path / "CERTIFICATE.md"
    store = tmp_path / "store.db"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *SUBPROCESS_ARGS,
        f"--deployment-target=memory://{store}?latency=2",
        f"--conformance-report={report}",
        f"--conformance-certificate={certificate}",
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
    )
    from reference_target.client import MemoryDeploymentClient

    # Well into the run: deployments exist, and scenarios are waiting on the target.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if store.exists() and MemoryDeploymentClient(f"memory://{store}").list_deployments():
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)

    assert process.returncode == INCOMPLETE, output[-3000:]
    data = json.loads(report.read_text())
    assert data["ending"] == "interrupted"
    assert data["summary"]["verdict"] == "incomplete"
    assert data["summary"]["leftovers"] == []
    assert not certificate.exists()
    assert MemoryDeploymentClient(f"memory://{store}").list_deployments() == []


# Ctrl-C lands in the fifth check, and pytest then fails to render where it landed (CPython can
# give a traceback entry no line number, and pytest's own rendering raises on it).
_RENDERING_FAILS = """
import os
import signal

_started = []


def pytest_runtest_call(item):
    _started.append(item)
    if len(_started) == 5:
        os.kill(os.getpid(), signal.SIGINT)


def pytest_keyboard_interrupt(excinfo):
    raise TypeError("unsupported operand type(s) for -: 'NoneType' and 'int'")
"""


def test_an_interrupt_pytest_cannot_render_still_ends_as_interrupted(tmp_path: Path) -> None:
    (tmp_path / "rendering_fails.py").write_text(_RENDERING_FAILS)
    report = tmp_path / "report.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *SUBPROCESS_ARGS,
            "-p",
            "rendering_fails",
            f"--deployment-target=memory:/{unique('unrendered')}",
            f"--conformance-report={report}",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == INCOMPLETE, completed.stdout[-3000:] + completed.stderr
    data = json.loads(report.read_text())
    assert data["ending"] == "interrupted"
    assert "the run was interrupted before it finished" in data["summary"]["incomplete_because"]


def test_parsing_again_mid_parse_neither_hangs_nor_corrupts_the_outer_parse() -> None:
    """Where CPython needs parsing serialised, a finaliser failing mid-parse (after Ctrl-C,
    say) is formatted by pytest's unraisable hook, which parses again on the same thread. That
    inner parse is refused with SyntaxError (tracebacks then go without carets); the outer one
    completes. In a subprocess: a hang would hold the lock every later parse here needs."""
    code = """
import ast
import sys

import conformance._scenario_run as scenario_run

if not scenario_run._affected_by_ast_threading_bug(sys.version_info[:3]):
    sys.exit(0)
scenario_run._serialise_ast_parsing()
real_parse, inner = scenario_run._original_parse, []


def parse_with_a_finaliser_inside(*args, **kwargs):
    try:
        ast.parse("b - 1")  # as the unraisable hook's traceback formatting would
    except SyntaxError as error:
        inner.append(error)
    return real_parse(*args, **kwargs)


scenario_run._original_parse = parse_with_a_finaliser_inside
outer = ast.parse("a + 1")
assert isinstance(outer, ast.Module), outer
assert len(inner) == 1, inner
scenario_run._original_parse = real_parse
assert isinstance(ast.parse("c * 2"), ast.Module)  # later parses go on as before
"""
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


class _PipeOfTheWatchdog:
    """Stands in for the watchdog process: keeps what the run sends."""

    def __init__(self) -> None:
        self.stdin = io.BytesIO()

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdin.getvalue().splitlines()]


def test_ctrl_c_landing_while_the_run_talks_to_its_watchdog_does_not_hang_it() -> None:
    """The SIGINT handler tells the watchdog; it runs on the main thread, which may be in the
    middle of sending another message. Waiting for its own lock there hung the run forever."""
    from conformance._watchdog import Watchdog

    pipe = _PipeOfTheWatchdog()
    watchdog = Watchdog(pipe)  # type: ignore[arg-type]
    answered = threading.Event()

    def a_signal_landing_mid_send() -> None:
        with watchdog._lock:  # as inside send()
            watchdog.interrupted()
        answered.set()

    threading.Thread(target=a_signal_landing_mid_send, daemon=True).start()
    assert answered.wait(timeout=5), "interrupted() waited for a lock its own thread held"

    watchdog.send({"type": "check", "id": "x"})
    assert pipe.messages() == [{"type": "interrupted"}, {"type": "check", "id": "x"}]


# -- settings are checked before the first plugin call ----------------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--conformance-timeout=inf"], "--conformance-timeout on the command line"),
        (["--conformance-timeout=nan"], "--conformance-timeout on the command line"),
        (["--conformance-timeout=1e308"], "--conformance-timeout on the command line"),
        (["--conformance-timeout=0"], "--conformance-timeout on the command line"),
        (["--deployment-input=/nonexistent.json"], "--deployment-input on the command line"),
        (["--conformance-report={tmp}"], "it is a folder"),
        (["--conformance-certificate=/dev/full"], "it is not a regular file"),
        (["--conformance-capability=telepathy=on"], "--conformance-capability"),
    ],
)
def test_a_bad_setting_is_a_usage_error_naming_the_option(
    pytester: pytest.Pytester, arguments: list[str], expected: str
) -> None:
    arguments = [a.replace("{tmp}", str(pytester.path)) for a in arguments]
    result = pytester.runpytest("-p", "no:cacheprovider", "--deployment-target=memory", *arguments)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert expected in result.stderr.str()
    assert "deployments created" not in result.stdout.str()  # nothing ran


def test_an_empty_target_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cacheprovider", "--deployment-target=")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--deployment-target on the command line" in result.stderr.str()


def test_a_setting_from_pyproject_is_named_with_its_source(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.deployment-conformance]\ntarget = "memory"\ntimeout = -1\n')
    result = pytester.runpytest("-p", "no:cacheprovider", "--deployment-target=memory")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "pyproject.toml" in result.stderr.str()


def test_a_target_in_pyproject_alone_says_how_to_certify(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.deployment-conformance]\ntarget = "memory"\n')
    pytester.makepyfile("def test_own(): pass")
    result = pytester.runpytest("-p", "no:cacheprovider")

    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["*pyproject.toml names target 'memory'*--deployment-target=memory*"]
    )


# -- provenance --------------------------------------------------------------------------------


def test_the_report_and_certificate_say_where_the_verdict_comes_from(
    run_kit_on_plugin: RunKit, tmp_path: Path
) -> None:
    import hashlib

    certificate = tmp_path / "CERTIFICATE.md"
    run = run_kit_on_plugin(
        "good", "--conformance-capability=explain=off", f"--conformance-certificate={certificate}"
    )

    assert run.report["provenance"]["catalogue_digest"].startswith("sha256:")
    assert run.report["versions"]["mlflow"]
    assert run.report["settings"]["capabilities_declared_absent"] == ["explain"]
    assert run.report["settings"]["sources"]["capabilities"] == "the command line"
    digest = hashlib.sha256(run.report_path.read_bytes()).hexdigest()
    assert f"SHA-256 `{digest}`" in certificate.read_text()


def test_credentials_in_the_target_uri_are_redacted() -> None:
    from conformance.report import redact_target

    assert redact_target("acme://alice:s3cret@host/x?region=eu&token=abc") == (
        "acme://***@host/x?region=eu&token=***"
    )
    assert redact_target("memory:/plain") == "memory:/plain"
    assert redact_target("memory:///tmp/store.db?latency=1") == "memory:///tmp/store.db?latency=1"


@pytest.mark.slow
@pytest.mark.parametrize("module", ["good", "hostile_sys_exit_in_delete"])
def test_no_run_leaves_temporary_files_behind(tmp_path: Path, module: str) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()

    _, report = _subprocess_run(module, tmp_path, TMPDIR=str(temporary))

    assert report.is_file()
    assert list(temporary.iterdir()) == []
