#!/usr/bin/env python3
"""Certify real deployment clients, and the kit's own targets under each MLflow, and write
docs/compatibility.md.

Two kinds of runs, each a nox session of ``noxfile.py`` beside this file, in a virtual
environment that nox keeps under ``~/.cache/mlflow-deployments-conformance/compat`` (or
``$CONFORMANCE_COMPAT_HOME``) and that the session refreshes only when its inputs change:

- ``published(<name>)``: a published plugin. Each folder beside this file is one:
  ``requirements.txt`` (the exact PyPI releases), ``profile.toml`` (the kit's settings),
  optionally ``compat_setup.py`` (a pytest plugin that builds the target's offline environment
  inside the kit's process) and ``expected.json`` (what the target is, and the failing check ids
  confirmed by reading the plugin's source, each with one line on what the plugin does wrong).
- ``mlflow(<version>)``: the reference target and the tutorial plugin under one MLflow of
  ``mlflow-matrix.json`` (its releases, and the verdict each subject must get under each).

Reports go to ``.compat/reports``; this script runs the sessions, compares each verdict with
what is expected, prints a table and, with ``--write-docs``, regenerates docs/compatibility.md.

    python tests/compat/run_compat.py                  # everything runnable
    python tests/compat/run_compat.py crusoe mlflow-2.9 --write-docs
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The venvs take minutes to build, so they live outside the checkout and every clone on the
# machine (CI's included) reuses them; each session re-installs the kit from its own checkout.
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
NOXFILE = HERE / "noxfile.py"
MATRIX_FILE = HERE / "mlflow-matrix.json"
# Seconds for one session: a first build resolves MLflow or Ray (minutes), then one kit run
# (SageMaker on moto takes about two minutes).
SESSION_TIMEOUT = 4200.0
# Outcomes that blame the plugin, under the report's old names and its new ones.
FAILING = ("failed", "error", "could-not-check")

# Every kit run: MLflow's telemetry off, and any HTTP(S) request that is not for 127.0.0.1 sent
# to a closed loopback port, so a plugin that tries to reach the internet fails fast and locally.
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
# The kit's common flags: no cache folder, quiet, and the plugins' own warnings left out.
KIT_FLAGS = ("-p", "no:cacheprovider", "-q", "-W", "ignore")


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
    def requirements(self) -> list[str]:
        """The pinned releases of requirements.txt."""
        lines = (self.folder / "requirements.txt").read_text().splitlines()
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    @property
    def report_path(self) -> Path:
        return REPORTS / f"{self.name}.json"

    @property
    def session(self) -> str:
        """The nox session that builds this target's environment and certifies it."""
        return f"published({self.name})"

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


# -- the MLflow matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A target of this repository that must pass under every MLflow of the matrix."""

    name: str
    title: str
    target: str
    # A plugin package of this repository to install (editable) beside the kit, if any.
    package: str | None
    verdicts: dict[str, str]
    # Check ids expected to fail under a version, each with what the target does wrong there.
    failing: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Matrix:
    """mlflow-matrix.json: the MLflow releases the kit supports, and what must pass under each."""

    # A short name of each MLflow (as in the session name) and its pip requirement, or None
    # for a run without MLflow.
    mlflow: dict[str, str | None]
    subjects: dict[str, Subject]

    @classmethod
    def load(cls) -> Matrix:
        data = json.loads(MATRIX_FILE.read_text())
        subjects = {
            name: Subject(
                name=name,
                title=entry["title"],
                target=entry["target"],
                package=entry.get("package"),
                verdicts=entry["verdicts"],
                failing=entry.get("failing", {}),
            )
            for name, entry in data["subjects"].items()
        }
        return cls(data["mlflow"], subjects)

    @staticmethod
    def report_path(version: str, subject: str) -> Path:
        return REPORTS / f"mlflow-{version}-{subject}.json"

    def release(self, version: str) -> str | None:
        """The exact MLflow release a version's requirement pins, or None without MLflow."""
        requirement = self.mlflow[version]
        return requirement.split("==", 1)[1] if requirement else None


# -- runs --------------------------------------------------------------------------------------


def timing_path(report: Path) -> Path:
    """Where a session records how long its environment and its kit run took."""
    return report.with_suffix(".timing.json")


@dataclass
class Run:
    """One run of the kit against a target, and its verdict compared with expected.json."""

    target: Target
    returncode: int
    seconds: float
    output: str
    report: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, Any] = field(default_factory=dict)

    def _outcomes(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.report.get("checks", [])}

    @property
    def build_error(self) -> str:
        """Why the session failed before the kit ran (pip's words), or '' if the kit ran."""
        return "" if self.timing else _pip_error(self.output)

    @property
    def failing(self) -> set[str]:
        """Checks that failed or could not be judged, less those the environment cannot run.

        An environment check that passed counts as failing, since its note is then wrong: kits
        that waive it report it passed (the waiver stale), older kits a strict XPASS failure.
        """
        environment = set(self.target.no_verdict)
        return {
            check_id
            for check_id, check in self._outcomes().items()
            if (check["outcome"] in FAILING and check_id not in environment)
            or (check_id in environment and check["outcome"] == "passed")
            or (check["outcome"] in FAILING and "XPASS" in check["message"])
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


@dataclass
class MatrixRun:
    """A subject's run under one MLflow of the matrix, compared with mlflow-matrix.json."""

    version: str
    subject: Subject
    expected_mlflow: str | None
    report: dict[str, Any]
    timing: dict[str, Any]
    output: str

    @property
    def verdict(self) -> str:
        return _verdict(self.report) if self.report else "not run"

    @property
    def failing(self) -> set[str]:
        return {c["id"] for c in self.report.get("checks", []) if c["outcome"] in FAILING}

    def mismatch(self) -> str:
        """What differs from mlflow-matrix.json, or '' when nothing does."""
        if not self.report:
            return f"no report was written; the session printed:\n{self.output[-3000:]}"
        problems = []
        mlflow = self.report["versions"].get("mlflow")
        if mlflow == "absent":  # how reports say it; kit 0.1.0 wrote null
            mlflow = None
        if mlflow != self.expected_mlflow:
            problems.append(f"ran under MLflow {mlflow}, not {self.expected_mlflow}")
        if self.verdict != self.subject.verdicts[self.version]:
            problems.append(f"{self.verdict}, expected {self.subject.verdicts[self.version]}")
        expected = set(self.subject.failing.get(self.version, {}))
        if self.failing != expected:
            checks = {c["id"]: c for c in self.report["checks"]}
            problems += [
                f"{check} fails: {checks[check]['message'][:200]}"
                for check in sorted(self.failing - expected)
            ]
            problems += [f"{check} no longer fails" for check in sorted(expected - self.failing)]
        return "; ".join(f"{self.subject.name} under {self.version}: {p}" for p in problems)


def _pip_error(output: str) -> str:
    """The lines of pip's output that say why it failed (its noise about local indexes aside)."""
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and "is ignored: it is neither a file nor a directory" not in line
    ]
    errors = [line for line in lines if line.startswith("ERROR") or "error" in line.lower()]
    return " / ".join((errors or lines)[-4:])[:600] or "pip failed without a message"


def _nox(session: str, *, rebuild: bool = False) -> tuple[int, str]:
    """Run one session of noxfile.py; its exit code and everything it printed."""
    command = [
        sys.executable,
        "-m",
        "nox",
        "--noxfile",
        str(NOXFILE),
        "--envdir",
        str(COMPAT),
        "--reuse-venv",
        "no" if rebuild else "yes",
        "--session",
        session,
    ]
    # A run from inside the project's own pytest-xdist workers must not look like one to the kit.
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")
    }
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=SESSION_TIMEOUT,
        )
    except subprocess.TimeoutExpired as expired:
        return -1, f"the session did not finish within {SESSION_TIMEOUT:g} s: {expired.stdout}"
    return done.returncode, done.stdout + done.stderr


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def _forget(report: Path) -> None:
    report.unlink(missing_ok=True)
    timing_path(report).unlink(missing_ok=True)


def run(target: Target, *, rebuild: bool = False) -> Run:
    """Certify a published target in its session's environment."""
    _forget(target.report_path)
    started = time.perf_counter()
    returncode, output = _nox(target.session, rebuild=rebuild)
    timing = _read(timing_path(target.report_path))
    seconds = timing.get("run_seconds", round(time.perf_counter() - started, 1))
    return Run(target, returncode, seconds, output, _read(target.report_path), timing)


def run_mlflow(matrix: Matrix, version: str, *, rebuild: bool = False) -> list[MatrixRun]:
    """Certify every subject under one MLflow of the matrix (one session, one environment)."""
    for subject in matrix.subjects:
        _forget(matrix.report_path(version, subject))
    _, output = _nox(f"mlflow({version})", rebuild=rebuild)
    runs = []
    for subject in matrix.subjects.values():
        path = matrix.report_path(version, subject.name)
        runs.append(
            MatrixRun(
                version,
                subject,
                matrix.release(version),
                _read(path),
                _read(timing_path(path)),
                output,
            )
        )
    return runs


# -- inside a session: how the kit is run ------------------------------------------------------


def published_arguments(target: Target, folder: Path) -> list[str]:
    """The kit's arguments for a published target, run from the empty ``folder``."""
    # An empty ini and rootdir keep this repository's own pytest settings out of the run.
    (folder / "pytest.ini").write_text("[pytest]\n")
    arguments = ["-p", "compat_setup"] if (target.folder / "compat_setup.py").is_file() else []
    if target.expected.get("select"):
        # Only these checks mean anything here (say, no service behind the client).
        arguments += ["-k", str(target.expected["select"])]
    return [
        *arguments,
        f"--conformance-profile={target.folder / 'profile.toml'}",
        f"--conformance-report={target.report_path}",
        "-c",
        str(folder / "pytest.ini"),
        "--rootdir",
        str(folder),
        *KIT_FLAGS,
    ]


def published_environment(target: Target) -> dict[str, str]:
    return {**RUN_ENVIRONMENT, "PYTHONPATH": os.pathsep.join([str(target.folder), str(SHARED)])}


def subject_arguments(subject: Subject, folder: Path, report: Path) -> list[str]:
    """The kit's arguments for a subject, run from the empty ``folder``."""
    if subject.package:
        # The package's pyproject.toml holds its kit settings and makes the folder the rootdir.
        shutil.copy(ROOT / subject.package / "pyproject.toml", folder / "pyproject.toml")
    else:
        (folder / "pytest.ini").write_text("[pytest]\n")
    return [
        f"--deployment-target={subject.target}",
        f"--conformance-report={report}",
        "--rootdir",
        str(folder),
        *KIT_FLAGS,
    ]


# -- the page ----------------------------------------------------------------------------------

# The matrix's columns, each the capabilities it judges: run_local, a module-level function
# with one check, shares the module's column so that the matrix fits the page.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "module": ("module", "run_local"),
    "core": ("core",),
    "endpoints": ("endpoints",),
    "explain": ("explain",),
    "stream": ("stream",),
}
# Outcomes that give no verdict on the plugin, under the report's old names and its new ones.
NO_VERDICT = ("skipped", "xfailed", "not-applicable", "not-run", "waived")
LEGEND = (
    "A cell gives the capabilities' verdict: **ok** (every check passed), the number of MUST "
    "and SHOULD clauses broken, **absent** (the client does not implement them or declares them "
    "absent) or **—** (not checked here). The module column covers run_local too. Each "
    "plugin's section below the table says why."
)


def _cell(report: dict[str, Any], capabilities: tuple[str, ...], environment: set[str]) -> str:
    """One short verdict for some capabilities of a published client."""
    states = [report.get("capabilities", {}).get(c, "not checked") for c in capabilities]
    if all(state == "not checked" for state in states):
        return "—"
    if "supported" not in states:
        return "absent"
    checks = [
        c
        for c in report.get("checks", [])
        if c["capability"] in capabilities and c["id"] not in environment
    ]
    counts = {
        level: sum(c["level"] == level and c["outcome"] in FAILING for c in checks)
        for level in ("MUST", "SHOULD")
    }
    # A no-break space keeps each count on one line with its level.
    broken = [f"{count}\u00a0{level}" for level, count in counts.items() if count]
    return ", ".join(broken) or "ok"


def _escape(text: str) -> str:
    """Text for one Markdown table cell: no pipes, no line breaks, no HTML tags."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def _verdict(report: dict[str, Any]) -> str:
    """The report's verdict word: 'conformant', 'not-conformant' and, from newer kits,
    'conformant-with-waivers' or 'incomplete'."""
    summary = report["summary"]
    return summary.get("verdict") or ("conformant" if summary["conformant"] else "not-conformant")


def render_page(targets: list[Target], matrix: Matrix | None = None) -> str:
    """docs/compatibility.md, from the reports in .compat/reports, each expected.json and
    mlflow-matrix.json."""
    matrix = matrix or Matrix.load()
    lines = [
        "# Compatibility",
        "",
        "<!-- Generated by tests/compat/run_compat.py --write-docs from the reports in "
        ".compat/reports; do not edit by hand. -->",
        "",
        *_mlflow_table(matrix),
        "## Published deployment clients",
        "",
        "The kit certified these real clients, each installed from PyPI into its own virtual "
        "environment on one machine with no network but loopback. Every failure was checked "
        "against the plugin's source; each plugin's section below says what it does wrong. "
        "Checks that the environment cannot run are listed apart and blame nobody.",
        "",
        LEGEND,
        "",
        "| plugin | " + " | ".join(_COLUMNS) + " | verdict |",
        "|---|" + "---|" * len(_COLUMNS) + "---|",
    ]
    sections: list[str] = []
    for target in targets:
        meta = target.expected
        report = _read(target.report_path)
        if target.blocked or not report:
            why = target.blocked or "not run yet: `make compat`"
            lines.append(
                f"| {target.title} (MLflow {meta.get('mlflow_version', '?')}) | "
                + " | ".join("—" for _ in _COLUMNS)
                + " | not certified |"
            )
            sections += [f"### {target.title}", "", f"Not certified here: {why}", ""]
            sections += [f"- {note}" for note in meta.get("notes", [])]
            sections.append("")
            continue
        lines.append(
            f"| {target.title} (MLflow {report['versions'].get('mlflow')}) | "
            + " | ".join(_cell(report, c, set(target.no_verdict)) for c in _COLUMNS.values())
            + f" | **{_verdict(report).replace('-', ' ')}** |"
        )
        sections += _section(target, report)
    lines += ["", *sections]
    return "\n".join(lines).rstrip() + "\n"


def _mlflow_table(matrix: Matrix) -> list[str]:
    """The kit's own targets under each MLflow it supports, and what was not applicable where."""
    versions = list(matrix.mlflow)
    labels = {
        v: f"MLflow {matrix.release(v)}" if matrix.release(v) else "no MLflow" for v in versions
    }
    lines = [
        "## MLflow versions",
        "",
        "The kit supports MLflow 2.9 and later, and runs without MLflow at all. Under each release "
        "below, `make compat` certifies the reference target and the tutorial's plugin with a "
        "default run (mlflow-skinny from PyPI, one virtual environment per release); the tests "
        "in tests/compat assert these verdicts. A clause whose feature an older MLflow lacks "
        "(`predict_stream` before 2.12, the endpoint methods before 1.26) is not applicable "
        "under it; the [contract](contract.md) gives each clause's release.",
        "",
        "| target | " + " | ".join(labels.values()) + " |",
        "|---|" + "---|" * len(versions),
    ]
    # Each check without a verdict, with its reason, and the releases it had none under.
    no_verdict: dict[tuple[str, str, str], list[str]] = {}
    for subject in matrix.subjects.values():
        cells = []
        for version in versions:
            report = _read(matrix.report_path(version, subject.name))
            cells.append(f"**{_verdict(report).replace('-', ' ')}**" if report else "not run")
            for check in report.get("checks", []):
                if check["outcome"] in NO_VERDICT:
                    key = (subject.title, check["id"], check["message"])
                    no_verdict.setdefault(key, []).append(labels[version])
        lines.append(f"| {subject.title} | " + " | ".join(cells) + " |")
    lines.append("")
    if no_verdict:
        lines += ["Checks without a verdict:", ""]
        for (title, check_id, reason), where in no_verdict.items():
            under = "every release" if len(where) == len(versions) else ", ".join(where)
            lines.append(f"- {title}, `{check_id}` under {under}: {_escape(reason[:200])}.")
        lines.append("")
    return lines


def _stable(uri: str) -> str:
    """A target URI without the port a local server happened to get, so the page is stable."""
    return re.sub(r"(127\.0\.0\.1|localhost):\d+", r"\1:<port>", uri)


def _section(target: Target, report: dict[str, Any]) -> list[str]:
    meta = target.expected
    checks = {c["id"]: c for c in report["checks"]}
    reasons: dict[str, str] = meta.get("failing", {})
    environment = target.environment_xfails
    not_applicable = target.not_applicable
    no_verdict = set(target.no_verdict)
    # A check the profile says gives no verdict here counts as such, whatever its outcome.
    outcomes = [
        "not-applicable" if c["id"] in no_verdict else c["outcome"] for c in report["checks"]
    ]
    failures = {
        level: sum(
            c["level"] == level and c["outcome"] in FAILING and c["id"] not in no_verdict
            for c in report["checks"]
        )
        for level in ("MUST", "SHOULD")
    }
    lines = [
        f"### {target.title}",
        "",
        f"{meta.get('description', '')} Target `{_stable(report['target'])}`; "
        f"{target.title} {meta.get('plugin_version', '')}, MLflow "
        f"{report['versions'].get('mlflow')}, Python {report['versions'].get('python')}. "
        f"{outcomes.count('passed')} passed, {failures['MUST']} MUST and "
        f"{failures['SHOULD']} SHOULD failures, "
        f"{sum(o in NO_VERDICT for o in outcomes)} without a verdict.",
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


def _published_row(target: Target, rebuild: bool) -> list[str]:
    if target.blocked:
        return [target.name, "—", "—", "—", "not certified"]
    result = run(target, rebuild=rebuild)
    if result.build_error:
        return [target.name, "failed", "—", "—", result.build_error[:60]]
    if not result.matches:
        print(f"{target.name}: {result.mismatch()}", file=sys.stderr)
    return [
        target.name,
        f"{result.timing.get('environment_seconds', 0):.0f}s",
        f"{result.seconds:.0f}s",
        _verdict(result.report) if result.report else "no report",
        "yes" if result.matches else "NO",
    ]


def _mlflow_rows(matrix: Matrix, version: str, rebuild: bool) -> list[list[str]]:
    rows = []
    for result in run_mlflow(matrix, version, rebuild=rebuild):
        problem = result.mismatch()
        if problem:
            print(problem, file=sys.stderr)
        rows.append(
            [
                f"mlflow-{version} {result.subject.name}",
                f"{result.timing.get('environment_seconds', 0):.0f}s",
                f"{result.timing.get('run_seconds', 0):.0f}s",
                result.verdict,
                "NO" if problem else "yes",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        help="published targets and mlflow-<version> runs (default: every runnable one)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the venvs from scratch")
    parser.add_argument("--write-docs", action="store_true", help="regenerate the page")
    parser.add_argument("--docs-only", action="store_true", help="only regenerate the page")
    arguments = parser.parse_args(argv)
    targets = all_targets()
    matrix = Matrix.load()
    wanted = set(arguments.names)
    status = 0
    if not arguments.docs_only:
        header = ["run", "env build", "kit run", "verdict", "expected?"]
        rows = [
            _published_row(target, arguments.rebuild)
            for target in targets
            if not wanted or target.name in wanted
        ]
        for version in matrix.mlflow:
            if not wanted or f"mlflow-{version}" in wanted:
                rows += _mlflow_rows(matrix, version, arguments.rebuild)
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        print(_row(header, widths))
        for row in rows:
            print(_row(row, widths))
        status = 1 if any(row[-1] not in ("yes", "not certified") for row in rows) else 0
    if arguments.write_docs or arguments.docs_only:
        page = page_path()
        page.write_text(render_page(targets, matrix))
        print(f"wrote {page.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
