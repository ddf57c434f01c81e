#!/usr/bin/env python3
"""Certify real, published deployment clients with the kit and write docs/compatibility.md.

Each folder beside this file is one target: ``requirements.txt`` (the exact PyPI releases),
``profile.toml`` (the kit's settings), optionally ``compat_setup.py`` (a pytest plugin that
builds the target's offline environment inside the kit's process) and ``expected.json`` (what
the target is, and the failing check ids confirmed by reading the plugin's source, each with
one line on what the plugin does wrong).

For each target the runner builds a venv under
``~/.cache/mlflow-deployments-conformance/compat/<name>`` (or ``$CONFORMANCE_COMPAT_HOME``) if
it is missing or stale (the kit installed editable from this checkout, plus the pinned
requirements), runs the kit there in a subprocess with
``--conformance-report=.compat/reports/<name>.json``, prints a table and, with
``--write-docs``, regenerates docs/compatibility.md from the reports.

    python tests/compat/run_compat.py                  # every runnable target
    python tests/compat/run_compat.py crusoe --write-docs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The venvs take minutes to build, so they live outside the checkout and every clone on the
# machine (CI's included) reuses them; each run re-installs the kit from its own checkout.
COMPAT = Path(
    os.environ.get("CONFORMANCE_COMPAT_HOME")
    or Path.home() / ".cache" / "mlflow-deployments-conformance" / "compat"
)
REPORTS = ROOT / ".compat" / "reports"
DOCS_PAGE = ROOT / "docs" / "compatibility.md"
# `mkdocs build --strict` fails on a page that its nav does not list; until mkdocs.yml lists
# compatibility.md, the page is written beside this file instead of into docs/.
STAGED_PAGE = HERE / "compatibility.md"
SHARED = HERE / "shared"
RUN_TIMEOUT = 1200.0  # seconds for one kit run; SageMaker on moto takes about two minutes
BUILD_TIMEOUT = 3000.0  # seconds for one pip install; resolving Ray or MLflow takes a while
FAILING = ("failed", "error", "could-not-check")  # "error": reports of kit 0.1.0

# Every run: MLflow's telemetry off, and any HTTP(S) request that is not for 127.0.0.1 sent to
# a closed loopback port, so a plugin that tries to reach the internet fails fast and locally.
RUN_ENVIRONMENT = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
    "RAY_USAGE_STATS_ENABLED": "0",
}


@dataclass
class Target:
    """One folder of this directory: a plugin and how to certify it here."""

    name: str
    folder: Path
    expected: dict[str, Any]
    profile: dict[str, Any]

    @classmethod
    def load(cls, name: str) -> Target:
        folder = HERE / name
        expected = json.loads((folder / "expected.json").read_text())
        profile_path = folder / "profile.toml"
        profile = tomllib.loads(profile_path.read_text()) if profile_path.is_file() else {}
        return cls(name, folder, expected, profile)

    @property
    def title(self) -> str:
        return str(self.expected["title"])

    @property
    def blocked(self) -> str | None:
        """Why this target cannot be certified on this machine, or None."""
        return self.expected.get("blocked")

    @property
    def python(self) -> Path:
        return COMPAT / self.name / "bin" / "python"

    @property
    def report_path(self) -> Path:
        return REPORTS / f"{self.name}.json"

    @property
    def environment_xfails(self) -> dict[str, str]:
        """Checks the environment cannot run, by id, from the profile's xfail table."""
        return self._xfails("environment:")

    @property
    def not_applicable(self) -> dict[str, str]:
        """Checks that do not apply to this client, which the kit cannot be told to skip."""
        return self._xfails("not applicable:")

    @property
    def no_verdict(self) -> dict[str, str]:
        """Every check that gives no verdict here, with its reason."""
        return {**self.environment_xfails, **self.not_applicable}

    def _xfails(self, prefix: str) -> dict[str, str]:
        xfails = self.profile.get("xfail", {})
        return {check: reason for check, reason in xfails.items() if reason.startswith(prefix)}

    @property
    def expected_failing(self) -> set[str]:
        return set(self.expected.get("failing", {}))


def all_targets() -> list[Target]:
    return [Target.load(p.parent.name) for p in sorted(HERE.glob("*/expected.json"))]


# -- environments ------------------------------------------------------------------------------


@dataclass
class Build:
    """How building a target's venv went."""

    ok: bool
    seconds: float
    cached: bool = False
    reason: str = ""


def _fingerprint(target: Target) -> str:
    return hashlib.sha256((target.folder / "requirements.txt").read_bytes()).hexdigest()


def _kit_fingerprint() -> str:
    digest = hashlib.sha256(str(ROOT).encode())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def _reinstall_kit(target: Target) -> subprocess.CompletedProcess[str]:
    """Point the venv's kit at this checkout (its dependencies are pinned in requirements)."""
    command = [str(target.python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)]
    return subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT)


def _pip_error(output: str) -> str:
    """The lines of pip's output that say why it failed (its noise about local indexes aside)."""
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and "is ignored: it is neither a file nor a directory" not in line
    ]
    errors = [line for line in lines if line.startswith("ERROR") or "error" in line.lower()]
    return " / ".join((errors or lines)[-4:])[:600] or "pip failed without a message"


def build(target: Target, *, force: bool = False) -> Build:
    """Create ``.compat/<name>`` with the kit and the pinned requirements, unless it is current."""
    marker = COMPAT / target.name / ".installed"
    fingerprint = _fingerprint(target)
    if not force and target.python.exists() and marker.is_file():
        recorded = json.loads(marker.read_text())
        if recorded.get("fingerprint") == fingerprint:
            if recorded.get("kit") != _kit_fingerprint():
                done = _reinstall_kit(target)
                if done.returncode != 0:
                    return Build(False, 0.0, reason=_pip_error(done.stdout + done.stderr))
                recorded["kit"] = _kit_fingerprint()
                marker.write_text(json.dumps(recorded) + "\n")
            return Build(True, float(recorded.get("seconds", 0.0)), cached=True)
    started = time.perf_counter()
    venv = COMPAT / target.name
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    command = [
        str(target.python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        str(ROOT),
        "-r",
        str(target.folder / "requirements.txt"),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Build(False, time.perf_counter() - started, reason="pip timed out")
    seconds = round(time.perf_counter() - started, 1)
    if done.returncode != 0:
        return Build(False, seconds, reason=_pip_error(done.stdout + done.stderr))
    record = {"fingerprint": fingerprint, "kit": _kit_fingerprint(), "seconds": seconds}
    marker.write_text(json.dumps(record) + "\n")
    return Build(True, seconds)


# -- runs --------------------------------------------------------------------------------------


@dataclass
class Run:
    """One run of the kit against a target, and its verdict compared with expected.json."""

    target: Target
    returncode: int
    seconds: float
    output: str
    report: dict[str, Any] = field(default_factory=dict)

    def _outcomes(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.report.get("checks", [])}

    @property
    def failing(self) -> set[str]:
        """Checks that failed or could not be judged, less those the environment cannot run.

        A waived environment check that passed counts as failing: the environment note is then
        wrong (the kit reports the waiver stale).
        """
        environment = set(self.target.no_verdict)
        outcomes = self._outcomes()
        return {
            check_id
            for check_id, check in outcomes.items()
            if (check["outcome"] in FAILING and check_id not in environment)
            or (check_id in environment and check["outcome"] == "passed")
        }

    @property
    def environment(self) -> set[str]:
        outcomes = self._outcomes()
        return {c for c in self.target.no_verdict if c in outcomes}

    @property
    def matches(self) -> bool:
        return bool(self.report) and self.failing == self.target.expected_failing

    def mismatch(self) -> str:
        """What differs from expected.json, for an assertion message."""
        if not self.report:
            return f"no report was written; the run printed:\n{self.output[-3000:]}"
        unexpected = sorted(self.failing - self.target.expected_failing)
        fixed = sorted(self.target.expected_failing - self.failing)
        outcomes = self._outcomes()
        lines = [f"{check}: {outcomes[check]['message'][:200]}" for check in unexpected]
        return (
            f"failing now but not in expected.json: {unexpected}\n  "
            + "\n  ".join(lines)
            + f"\nin expected.json but not failing now: {fixed}"
        )


def run(target: Target, timeout: float = RUN_TIMEOUT) -> Run:
    """Run the kit in the target's venv, from an empty folder, with its setup module loaded."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    target.report_path.unlink(missing_ok=True)
    environment = {**os.environ, **RUN_ENVIRONMENT}
    environment["PYTHONPATH"] = os.pathsep.join([str(target.folder), str(SHARED)])
    environment.pop("PYTEST_ADDOPTS", None)
    environment.pop("PYTEST_XDIST_WORKER", None)
    with tempfile.TemporaryDirectory(prefix=f"compat-{target.name}-") as folder:
        # An empty ini and rootdir keep this repository's own pytest settings out of the run.
        (Path(folder) / "pytest.ini").write_text("[pytest]\n")
        command = [str(target.python), "-m", "pytest"]
        if (target.folder / "compat_setup.py").is_file():
            command += ["-p", "compat_setup"]
        if target.expected.get("select"):
            # Only these checks mean anything here (say, no service behind the client).
            command += ["-k", str(target.expected["select"])]
        command += [
            f"--conformance-profile={target.folder / 'profile.toml'}",
            f"--conformance-report={target.report_path}",
            "-c",
            str(Path(folder) / "pytest.ini"),
            "--rootdir",
            folder,
            "-p",
            "no:cacheprovider",
            "-q",
            "-W",
            "ignore",
        ]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                env=environment,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            returncode, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as expired:
            returncode = -1
            output = f"the run did not finish within {timeout:g} s: {expired.stdout or ''}"
        seconds = round(time.perf_counter() - started, 1)
    report = json.loads(target.report_path.read_text()) if target.report_path.is_file() else {}
    return Run(target, returncode, seconds, output, report)


# -- the page ----------------------------------------------------------------------------------

_CAPABILITIES = ("module", "core", "endpoints", "explain", "stream", "run_local")


def _cell(report: dict[str, Any], capability: str, environment: set[str]) -> str:
    state = report.get("capabilities", {}).get(capability, "not checked")
    checks = [
        c
        for c in report.get("checks", [])
        if c["capability"] == capability and c["id"] not in environment
    ]
    must = [c for c in checks if c["level"] == "MUST" and c["outcome"] in FAILING]
    should = [c for c in checks if c["level"] == "SHOULD" and c["outcome"] in FAILING]
    if state == "not checked":
        return "not checked here"
    if state != "supported":
        return "declared absent" if "declared absent" in state else "not implemented"
    if not must and not should:
        return "✅ conforms"
    parts = [f"❌ {len(must)} MUST"] if must else []
    if should:
        parts.append(f"⚠️ {len(should)} SHOULD")
    return ", ".join(parts)


def _escape(text: str) -> str:
    """Text for one Markdown table cell: no pipes, no line breaks, no HTML tags."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render_page(targets: list[Target]) -> str:
    """docs/compatibility.md, from the reports in .compat/reports and each expected.json."""
    lines = [
        "# Compatibility of published deployment clients",
        "",
        "<!-- Generated by tests/compat/run_compat.py --write-docs from the reports in "
        ".compat/reports; do not edit by hand. -->",
        "",
        "The kit certified these real clients, each installed from PyPI into its own virtual "
        "environment on one machine with no network but loopback. Every failure below was "
        "checked against the plugin's source; each line says what the plugin does wrong. "
        "Checks that the environment cannot run are listed apart and blame nobody.",
        "",
        "| plugin | version | MLflow | " + " | ".join(_CAPABILITIES) + " | verdict |",
        "|---|---|---|" + "---|" * len(_CAPABILITIES) + "---|",
    ]
    sections: list[str] = []
    for target in targets:
        meta = target.expected
        report = json.loads(target.report_path.read_text()) if target.report_path.is_file() else {}
        version = meta.get("plugin_version", "")
        if target.blocked or not report:
            why = target.blocked or "not run yet: `make compat`"
            lines.append(
                f"| {target.title} | {version} | {meta.get('mlflow_version', '')} | "
                + " | ".join("—" for _ in _CAPABILITIES)
                + f" | not certified: {_escape(why)} |"
            )
            sections += [f"## {target.title}", "", f"Not certified here: {why}", ""]
            sections += [f"- {note}" for note in meta.get("notes", [])]
            sections.append("")
            continue
        summary = report["summary"]
        verdict = summary.get("verdict") or (
            "conformant" if summary["conformant"] else "not conformant"
        )
        lines.append(
            f"| {target.title} | {version} | {report['versions'].get('mlflow')} | "
            + " | ".join(_cell(report, c, set(target.no_verdict)) for c in _CAPABILITIES)
            + f" | **{verdict}** |"
        )
        sections += _section(target, report)
    lines += ["", *sections]
    return "\n".join(lines).rstrip() + "\n"


def _stable(uri: str) -> str:
    """A target URI without the port a local server happened to get, so the page is stable."""
    return re.sub(r"(127\.0\.0\.1|localhost):\d+", r"\1:<port>", uri)


def _section(target: Target, report: dict[str, Any]) -> list[str]:
    meta = target.expected
    checks = {c["id"]: c for c in report["checks"]}
    reasons: dict[str, str] = meta.get("failing", {})
    environment = target.environment_xfails
    not_applicable = target.not_applicable
    counts = report["summary"]
    lines = [
        f"## {target.title}",
        "",
        f"{meta.get('description', '')} Target `{_stable(report['target'])}`; "
        f"{target.title} {meta.get('plugin_version', '')}, MLflow "
        f"{report['versions'].get('mlflow')}, Python {report['versions'].get('python')}. "
        f"{counts['passed']} passed, {len(counts['must_failures'])} MUST and "
        f"{len(counts['should_failures'])} SHOULD failures, {counts['skipped']} skipped.",
        "",
    ]
    for level in ("MUST", "SHOULD"):
        failing = [
            check_id
            for check_id in reasons
            if check_id in checks and checks[check_id]["level"] == level
        ]
        if failing:
            lines += [f"**{level} failures**", "", "| check | what the plugin does wrong |"]
            lines.append("|---|---|")
            lines += [f"| `{c}` | {_escape(reasons[c])} |" for c in failing]
            lines.append("")
    if environment:
        lines += ["**Not runnable in this environment** (no verdict)", ""]
        lines += [
            f"- `{c}`: {_escape(r.removeprefix('environment:').strip())}"
            for c, r in environment.items()
        ]
        lines.append("")
    if not_applicable:
        lines += [
            f"**Not applicable to this client** (no verdict): {len(not_applicable)} checks, "
            + ", ".join(f"`{c}`" for c in not_applicable)
            + ". "
            + _escape(next(iter(not_applicable.values())).removeprefix("not applicable:").strip())
            + ".",
            "",
        ]
    if meta.get("notes"):
        lines += ["**Notes**", ""] + [f"- {note}" for note in meta["notes"]] + [""]
    return lines


def page_path() -> Path:
    """Where the page goes: docs/ once the site's nav lists it, else beside this file."""
    mkdocs = ROOT / "mkdocs.yml"
    listed = mkdocs.is_file() and "compatibility.md" in mkdocs.read_text()
    return DOCS_PAGE if listed else STAGED_PAGE


# -- command line ------------------------------------------------------------------------------


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="targets to run (default: every runnable one)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the venvs")
    parser.add_argument("--write-docs", action="store_true", help="regenerate the page")
    parser.add_argument("--docs-only", action="store_true", help="only regenerate the page")
    arguments = parser.parse_args(argv)
    targets = all_targets()
    chosen = [t for t in targets if not arguments.names or t.name in arguments.names]
    if not arguments.docs_only:
        header = ["target", "env build", "kit run", "MUST", "SHOULD", "env", "expected?"]
        rows: list[list[str]] = []
        for target in chosen:
            if target.blocked:
                rows.append([target.name, "—", "—", "—", "—", "—", "not certified"])
                continue
            built = build(target, force=arguments.rebuild)
            if not built.ok:
                rows.append(
                    [
                        target.name,
                        f"failed {built.seconds:.0f}s",
                        "—",
                        "—",
                        "—",
                        "—",
                        built.reason[:60],
                    ]
                )
                continue
            result = run(target)
            summary = result.report.get("summary", {})
            rows.append(
                [
                    target.name,
                    f"{built.seconds:.0f}s" + (" (cached)" if built.cached else ""),
                    f"{result.seconds:.0f}s",
                    str(len(summary.get("must_failures", []))),
                    str(len(summary.get("should_failures", []))),
                    str(len(result.environment)),
                    "yes" if result.matches else "NO",
                ]
            )
            if not result.matches:
                print(f"{target.name}: {result.mismatch()}", file=sys.stderr)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        print(_row(header, widths))
        for row in rows:
            print(_row(row, widths))
        status = 1 if any(row[-1] not in ("yes", "not certified") for row in rows) else 0
    else:
        status = 0
    if arguments.write_docs or arguments.docs_only:
        page = page_path()
        page.write_text(render_page(targets))
        print(f"wrote {page.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
