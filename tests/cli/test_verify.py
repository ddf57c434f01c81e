"""``python -m conformance verify``: a report handed to a CI gate is checked, not believed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import conformance
from conformance.report import Report


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The JSON report of a real run on the reference target."""
    path = tmp_path_factory.mktemp("verify") / "report.json"
    conformance.run("memory").write_json(path)
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _with_outcome(data: dict[str, Any], check_id: str, outcome: str) -> dict[str, Any]:
    """``data`` with one check's outcome changed and its summary made to agree, as a run whose
    check ended that way would have written it."""
    changed = json.loads(json.dumps(data))
    for check in changed["checks"]:
        if check["id"] == check_id:
            check["outcome"] = outcome
            check["message"] = f"{outcome} on purpose"
    changed["summary"].update(
        {
            key: value
            for key, value in Report.from_dict(changed).summary().items()
            if key in changed["summary"]
        }
    )
    return changed


def _verify(
    tmp_path: Path, data: dict[str, Any], *options: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    return subprocess.run(
        [sys.executable, "-m", "conformance", "verify", str(path), *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_genuine_report_verifies_and_says_its_verdict(
    genuine: dict[str, Any], tmp_path: Path
) -> None:
    done = _verify(tmp_path, genuine, "--require", "conformant")
    assert done.returncode == 0, done.stderr
    assert "verified; verdict conformant" in done.stdout


def test_a_verdict_edited_by_hand_is_a_mismatch(genuine: dict[str, Any], tmp_path: Path) -> None:
    tampered = _with_outcome(genuine, "deployment.delete.idempotent", "failed")
    tampered["summary"]["verdict"] = "conformant"

    done = _verify(tmp_path, tampered)

    assert done.returncode == 1
    assert "MISMATCH: summary.verdict says 'conformant'" in done.stderr
    assert "NOT verified" in done.stderr


def test_a_report_of_another_catalogue_is_a_mismatch(
    genuine: dict[str, Any], tmp_path: Path
) -> None:
    other = json.loads(json.dumps(genuine))
    other["checks"] = other["checks"][1:]
    other["provenance"]["catalogue_digest"] = "sha256:" + "0" * 64

    done = _verify(tmp_path, other)

    assert done.returncode == 1
    assert "verify with the kit version that made it" in done.stderr
    assert "missing ['module.loads']" in done.stderr


@pytest.mark.parametrize(
    ("outcome", "verdict", "code"),
    [("failed", "not-conformant", 1), ("not-run", "incomplete", 10)],
)
def test_require_fails_a_verified_report_with_another_verdict(
    genuine: dict[str, Any], tmp_path: Path, outcome: str, verdict: str, code: int
) -> None:
    report = _with_outcome(genuine, "deployment.delete.idempotent", outcome)

    done = _verify(tmp_path, report, "--require", "conformant,conformant-with-waivers")

    assert f"verified; verdict {verdict}" in done.stdout
    assert done.returncode == code
    assert f"the verdict is {verdict}, not conformant or conformant-with-waivers" in done.stderr


def test_require_names_the_verdicts_when_given_an_unknown_one(
    genuine: dict[str, Any], tmp_path: Path
) -> None:
    done = _verify(tmp_path, genuine, "--require", "passed")
    assert done.returncode == 2
    assert "'passed' names no verdict; use one of conformant, conformant-with-waivers" in (
        done.stderr
    )


def test_an_unreadable_report_is_not_verified(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "verify", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "cannot read" in done.stderr
