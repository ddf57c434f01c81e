"""What a run writes: the JSON report (checked against its schema), junit properties, the
Markdown certificate and the terminal summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import jsonschema
import pytest
from plugins_for_kit.kit_helpers import (
    CHECK_IDS,
    FAST,
    INCOMPLETE,
    log_calls_to,
    outcomes,
    plugin_args,
    read_log,
    run_kit,
    unique,
)

from conformance._catalogue import CATALOGUE, Capability, by_id
from conformance.report import SCHEMA_PATH


def _validate(report: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(report)


def test_a_passing_report_validates_and_counts_what_was_created(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = log_calls_to(monkeypatch, pytester.path / "calls.jsonl")

    result, report = run_kit(
        pytester, *plugin_args("recording"), "--conformance-certificate=cert.md"
    )

    assert report is not None
    assert result.ret == 0
    _validate(report)
    assert [c["id"] for c in report["checks"]] == CHECK_IDS
    created = [e for e in read_log(log) if e["op"] == "create_deployment" and e["ok"]]
    assert report["summary"]["deployments_created"] > 0
    assert report["summary"]["deployments_created"] == len(created)
    assert report["statistics"]["deployments_created"] == len(created)
    assert report["statistics"]["workers"] == 1
    assert report["statistics"]["plugin_calls"] > len(created)
    assert report["plugin"]["module"] == "plugins_for_kit.recording"
    certificate = (pytester.path / "cert.md").read_text()
    assert "**Verdict: conformant**" in certificate
    assert f"Deployments created: {len(created)}." in certificate


def test_a_failing_run_reports_every_outcome_and_names_its_failures(
    pytester: pytest.Pytester,
) -> None:
    result, report = run_kit(
        pytester,
        *plugin_args("failing_predict"),
        "--conformance-certificate=cert.md",
        "--conformance-xfail=predict.missing-raises=it raises RuntimeError, fix pending",
    )

    assert report is not None
    assert result.ret == 1
    _validate(report)
    # Failures, checks that could not be judged and a waived one.
    assert {"passed", "failed", "could-not-check", "waived"} <= set(outcomes(report).values())
    assert "predict.returns-response" in report["summary"]["must_failures"]
    assert report["summary"]["conformant"] is False
    certificate = (pytester.path / "cert.md").read_text()
    assert "**Verdict: not-conformant**" in certificate
    assert "| `predict.returns-response` | MUST | failed |" in certificate
    text = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "capability*passed*failed*no check*n/a*waived*not run*status",
            *[f"{capability!s:<11} *" for capability in Capability],
        ]
    )
    must_section = text[text.index("MUST failures:") :]
    for check_id in report["summary"]["must_failures"]:
        assert f"  {check_id}: " in must_section
    assert "verdict: NOT-CONFORMANT" in text


def test_junit_xml_carries_each_checks_id_and_level(pytester: pytest.Pytester) -> None:
    result, _ = run_kit(
        pytester, f"--deployment-target=memory:/{unique()}", "--junitxml=junit.xml", "-k", FAST
    )

    assert result.ret == INCOMPLETE
    cases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    seen = {}
    for case in cases:
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        seen[case.get("name")] = properties
    assert len(seen) == len(CHECK_IDS) - 3  # FAST leaves three checks out
    for name, properties in seen.items():
        check = by_id(name)
        assert properties["check_id"] == check.id
        assert properties["level"] == str(check.level)
        assert properties["capability"] == str(check.capability)


def test_the_terminal_summary_shows_the_capability_table(pytester: pytest.Pytester) -> None:
    result, report = run_kit(
        pytester,
        f"--deployment-target=memory:/{unique()}",
        "--conformance-capability=explain=off",
        "-k",
        "explain or deployment.create.returns-name",
    )

    assert report is not None
    assert result.ret == INCOMPLETE
    core = [c for c in CATALOGUE if c.capability is Capability.CORE]
    result.stdout.fnmatch_lines(
        [
            "*deployment conformance: memory:/*",
            "capability*passed*failed*no check*n/a*waived*not run*status",
            f"core * 1 * 0 * 0 * 0 * 0 * {len(core) - 1}  supported",
            "explain * 0 * 0 * 0 * 1 * 0 * 0  not supported (*declared absent)",
            "*verdict: INCOMPLETE (1 passed, 0 failed (0 MUST, 0 SHOULD), 0 could not check, "
            "* not applicable, 0 waived, * not run; exit code 10)",
        ]
    )
