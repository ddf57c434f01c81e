"""Where a run's settings come from: pyproject.toml, a profile file, hooks and the command line,
and what happens when one of them is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from plugins_for_kit.kit_helpers import (
    CHECK_IDS,
    FAST,
    INCOMPLETE,
    PRIMARY_MODEL,
    SECONDARY_MODEL,
    log_calls_to,
    outcomes,
    plugin_args,
    read_json,
    read_log,
    run_kit,
    unique,
)

from conformance._catalogue import Level, by_id

ONE_CHECK = ("-k", "deployment.create.returns-name")
ENDPOINT_CHECKS = [check_id for check_id in CHECK_IDS if check_id.startswith("endpoint")]


def _pyproject(pytester: pytest.Pytester, body: str) -> None:
    pytester.makefile(".toml", pyproject=f"[tool.deployment-conformance]\n{body}")


def _report_hook(pytester: pytest.Pytester, report: str) -> None:
    pytester.makeconftest(
        f"""
        def pytest_conformance_profile(config):
            return {{"report": {report!r}}}
        """
    )


def _written(pytester: pytest.Pytester, *names: str) -> list[str]:
    return [name for name in names if (pytester.path / name).exists()]


def test_pyproject_section_supplies_settings(pytester: pytest.Pytester) -> None:
    _pyproject(
        pytester,
        'report = "from-pyproject.json"\n'
        "[tool.deployment-conformance.capabilities]\nendpoints = false\n",
    )

    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        f"--deployment-target=memory:/{unique()}",
        "-k",
        "endpoint or deployment.create.returns-name",
    )

    report = read_json(pytester.path / "from-pyproject.json")
    assert result.ret == INCOMPLETE
    assert all(outcomes(report)[check_id] == "not-applicable" for check_id in ENDPOINT_CHECKS)
    assert outcomes(report)["deployment.create.returns-name"] == "passed"


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_profile_file_alone_turns_the_kit_on(pytester: pytest.Pytester, suffix: str) -> None:
    settings = {
        "target": f"memory:/{unique()}",
        "report": "from-profile.json",
        "xfail": {"deployment.create.returns-flavor": "tolerated while it is fixed"},
    }
    if suffix == ".json":
        pytester.makefile(".json", profile=json.dumps(settings))
    else:
        pytester.makefile(
            ".toml",
            profile=f'target = "{settings["target"]}"\nreport = "from-profile.json"\n'
            '[xfail]\n"deployment.create.returns-flavor" = "tolerated while it is fixed"\n',
        )

    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        f"--conformance-profile=profile{suffix}",
        "-k",
        "deployment.create.returns",
    )

    report = read_json(pytester.path / "from-profile.json")
    assert report["target"] == settings["target"]
    # The memory target returns a flavor, so the profile's waiver is stale.
    assert outcomes(report)["deployment.create.returns-flavor"] == "passed"
    assert report["summary"]["waivers"][0]["outcome"] == "stale"
    assert outcomes(report)["deployment.create.returns-name"] == "passed"
    assert result.ret == INCOMPLETE


@pytest.mark.parametrize(
    ("layers", "winner"),
    [
        (("pyproject", "profile", "hook", "command line"), "cli.json"),
        (("pyproject", "profile", "hook"), "hook.json"),
        (("pyproject", "profile"), "profile.json"),
        (("pyproject",), "pyproject.json"),
    ],
)
def test_precedence_command_line_hook_profile_pyproject(
    pytester: pytest.Pytester, layers: tuple[str, ...], winner: str
) -> None:
    arguments = ["-p", "no:cacheprovider", f"--deployment-target=memory:/{unique()}", *ONE_CHECK]
    if "pyproject" in layers:
        _pyproject(pytester, 'report = "pyproject.json"\n')
    if "profile" in layers:
        pytester.makefile(".toml", layer='report = "profile.json"\n')
        arguments.append("--conformance-profile=layer.toml")
    if "hook" in layers:
        _report_hook(pytester, "hook.json")
    if "command line" in layers:
        arguments.append("--conformance-report=cli.json")

    result = pytester.runpytest(*arguments)

    assert result.ret == INCOMPLETE
    assert _written(pytester, "pyproject.json", "profile.json", "hook.json", "cli.json") == [winner]


def test_tables_merge_across_sources(pytester: pytest.Pytester) -> None:
    # Each source declares one capability absent; together they skip both.
    _pyproject(pytester, "[tool.deployment-conformance.capabilities]\nexplain = false\n")

    result, report = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-capability=stream=off",
        "-k",
        "explain or stream or deployment.create.returns-name",
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    assert "declared absent" in report["capabilities"]["explain"]
    assert "declared absent" in report["capabilities"]["stream"]


@pytest.mark.parametrize(
    ("source", "expected_source"),
    [
        ("pyproject", "[tool.deployment-conformance] in pyproject.toml"),
        ("toml profile", "profile bad.toml"),
        ("json profile", "profile bad.json"),
        ("hook", "the pytest_conformance_profile hook"),
    ],
)
def test_an_unknown_key_is_a_usage_error_naming_key_and_source(
    pytester: pytest.Pytester, source: str, expected_source: str
) -> None:
    arguments = ["-p", "no:cacheprovider", f"--deployment-target=memory:/{unique()}"]
    if source == "pyproject":
        _pyproject(pytester, "timeuot = 5\n")
    elif source == "toml profile":
        pytester.makefile(".toml", bad="timeuot = 5\n")
        arguments.append("--conformance-profile=bad.toml")
    elif source == "json profile":
        pytester.makefile(".json", bad='{"timeuot": 5}')
        arguments.append("--conformance-profile=bad.json")
    else:
        pytester.makeconftest(
            """
            def pytest_conformance_profile(config):
                return {"timeuot": 5}
            """
        )

    result = pytester.runpytest(*arguments)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert "unknown key 'timeuot'" in errors
    assert expected_source in errors


def test_a_wrong_type_is_a_usage_error_naming_the_key(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", bad='timeout = "x"\n')

    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        f"--deployment-target=memory:/{unique()}",
        "--conformance-profile=bad.toml",
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "profile bad.toml: key 'timeout'" in result.stderr.str()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--conformance-timeout=soon", "--conformance-timeout takes a number of seconds"),
        ("--conformance-timeout=0", "--conformance-timeout on the command line"),
        ("--deployment-config=replicas", "--deployment-config takes KEY=VALUE"),
        ("--conformance-capability=endpoints=maybe", "takes NAME=on or NAME=off"),
        ("--conformance-capability=gpu=on", "--conformance-capability on the command line"),
        ("--conformance-hypothesis=endless", "--conformance-hypothesis on the command line"),
    ],
)
def test_a_bad_command_line_value_is_a_usage_error(
    pytester: pytest.Pytester, option: str, message: str
) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", f"--deployment-target=memory:/{unique()}", option
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_deployment_config_reaches_create(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")

    result, _ = run_kit(
        pytester,
        *plugin_args("recording"),
        "--deployment-config=replicas=2",
        "--deployment-config=tier=gold",
        "-k",
        "deployment.create",
    )

    creates = [entry for entry in read_log(log) if entry["op"] == "create_deployment"]
    # Scenarios run on threads of their own: their calls are told apart by the names they make.
    by_scenario = {entry["name"].split("-")[3]: entry["config"] for entry in creates}
    assert result.ret == INCOMPLETE
    assert by_scenario["shared"] == {"replicas": "2", "tier": "gold"}
    # The one scenario about config=None passes None, whatever the profile says.
    assert by_scenario["config"] is None
    assert all(
        entry["config"] == {"replicas": "2", "tier": "gold"}
        for entry in creates
        if "-config-none-" not in entry["name"]
    )


def test_a_capability_declared_absent_skips_its_checks(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-capability=endpoints=off",
        "-k",
        "endpoint or deployment.create.returns-name",
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    endpoint_results = [c for c in report["checks"] if c["id"] in ENDPOINT_CHECKS]
    assert {c["outcome"] for c in endpoint_results} == {"not-applicable"}
    assert all("declared absent" in c["message"] for c in endpoint_results)
    assert report["capabilities"]["endpoints"].startswith("not supported")


def test_a_capability_declared_present_but_absent_fails(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester,
        *plugin_args("no_endpoints"),
        "--conformance-capability=endpoints=on",
        "-k",
        "endpoint or deployment.create.returns-name",
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    endpoint_results = [c for c in report["checks"] if c["id"] in ENDPOINT_CHECKS]
    assert {c["outcome"] for c in endpoint_results} == {"failed"}
    assert all("declared present" in c["message"] for c in endpoint_results)
    assert set(report["summary"]["must_failures"]) == {
        check_id for check_id in ENDPOINT_CHECKS if by_id(check_id).level is Level.MUST
    }


def test_without_a_declaration_an_absent_capability_skips(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester, *plugin_args("no_endpoints"), "-k", "endpoint or deployment.create.returns-name"
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    endpoint_results = [c for c in report["checks"] if c["id"] in ENDPOINT_CHECKS]
    assert {c["outcome"] for c in endpoint_results} == {"not-applicable"}
    assert all("left to the base class" in c["message"] for c in endpoint_results)


HOOKS = """
    import pandas as pd


    def pytest_conformance_profile(config):
        return {"xfail": {"deployment.create.returns-flavor": "set by the profile hook"}}


    def pytest_conformance_models(config, target_uri):
        return ["reference:/constant?value=3", "reference:/constant?value=4"]


    def pytest_conformance_sample_input(config, target_uri):
        return pd.DataFrame({"hooked_a": [1.0, 2.0], "hooked_b": [3.0, 4.0]})


    def pytest_conformance_capabilities(config, target_uri):
        return {"explain": False}


    def pytest_conformance_report(config, report):
        report.statistics["amended_by"] = "pytest_conformance_report"
"""


def test_every_hook_in_a_conftest_takes_effect(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")
    pytester.makeconftest(HOOKS)
    # No --deployment-model-uri: the models hook alone must supply them.
    target = f"--deployment-target={unique()}:/{unique('ns')}"

    _, report = run_kit(
        pytester, target, "--deployment-plugin=plugins_for_kit.recording", "-k", FAST
    )

    assert report is not None
    entries = read_log(log)
    created_models = {e["model_uri"] for e in entries if e["op"] == "create_deployment"}
    predicted_columns = {tuple(e["columns"]) for e in entries if e["op"] == "predict"}
    hooked_models = {"reference:/constant?value=3", "reference:/constant?value=4"}
    assert "reference:/constant?value=3" in created_models
    assert created_models - {"conformance-unresolvable://no/such/model"} <= hooked_models
    assert not {PRIMARY_MODEL, SECONDARY_MODEL} & created_models
    assert predicted_columns == {("hooked_a", "hooked_b")}
    assert outcomes(report)["explain.returns-json-able"] == "not-applicable"
    assert "declared absent" in report["capabilities"]["explain"]
    # The profile hook's waiver covers a check that passes (the plugin returns a flavor): stale.
    assert outcomes(report)["deployment.create.returns-flavor"] == "passed"
    assert report["summary"]["waivers"][0]["outcome"] == "stale"
    assert report["statistics"]["amended_by"] == "pytest_conformance_report"


def test_the_report_hook_amends_the_certificate_too(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_conformance_report(config, report):
            report.target = "renamed-by-hook"
        """
    )

    result, report = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-certificate=cert.md",
    )

    assert report is not None
    assert result.ret == 0
    assert report["target"] == "renamed-by-hook"
    assert "`renamed-by-hook`" in Path(pytester.path / "cert.md").read_text()
