"""The environments of tests/compat, one nox session each; run_compat.py runs them.

- ``published(<name>)``: a published plugin's pinned requirements and the kit, then the kit
  against that plugin.
- ``mlflow(<version>)``: one MLflow of mlflow-matrix.json (or none), the kit and the tutorial
  plugin, then the kit against the reference target and the tutorial plugin.

An environment is reused as long as what it was built from is unchanged: the session records
its requirements and the checkout it installed the kit from, and installs again only when they
differ. ``--reuse-venv=no`` (run_compat.py's ``--rebuild``) starts from an empty one.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run_compat

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.download_python = "never"
nox.options.envdir = str(run_compat.COMPAT)
nox.options.error_on_missing_interpreters = True

MATRIX = run_compat.Matrix.load()
PUBLISHED = [target for target in run_compat.all_targets() if not target.blocked]


def _prepare(session: nox.Session, requirements: list[str], packages: list[Path]) -> float:
    """Install what the environment needs unless it already holds it; the seconds it took."""
    started = time.perf_counter()
    editable = [run_compat.ROOT, *packages]
    wanted = {"requirements": requirements, "editable": [str(path) for path in editable]}
    marker = Path(session.virtualenv.location) / ".conformance-inputs.json"
    recorded = json.loads(marker.read_text()) if marker.is_file() else {}
    flags = ["--disable-pip-version-check"]
    if recorded.get("requirements") != requirements:
        session.install(*flags, *requirements, *(f"--editable={path}" for path in editable))
    elif recorded.get("editable") != wanted["editable"]:
        # Another checkout: point the editable installs at it (their dependencies are in place).
        session.install(*flags, "--no-deps", *(f"--editable={path}" for path in editable))
    marker.write_text(json.dumps(wanted) + "\n")
    return round(time.perf_counter() - started, 1)


def _certify(
    session: nox.Session,
    report: Path,
    environment_seconds: float,
    arguments: list[str],
    env: dict[str, str],
    folder: Path,
) -> None:
    """Run the kit from ``folder`` and record the time it took beside its report.

    The record is written even when the kit itself breaks, so that run_compat.py tells a kit
    that ran and wrote no report from an environment that could not be built.
    """
    started = time.perf_counter()
    try:
        with session.chdir(folder):
            # The kit exits 1 for a plugin that fails a check: a verdict, not a broken session.
            session.run("python", "-m", "pytest", *arguments, env=env, success_codes=[0, 1])
    finally:
        timing = {
            "environment_seconds": environment_seconds,
            "run_seconds": round(time.perf_counter() - started, 1),
        }
        run_compat.timing_path(report).write_text(json.dumps(timing) + "\n")


@nox.session(python=None)
@nox.parametrize("target", [nox.param(t.name, id=t.name) for t in PUBLISHED])
def published(session: nox.Session, target: str) -> None:
    """A published plugin, pinned by its requirements.txt."""
    chosen = run_compat.Target.load(target)
    seconds = _prepare(session, chosen.requirements, [])
    run_compat.REPORTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"compat-{target}-") as folder:
        arguments = run_compat.published_arguments(chosen, Path(folder))
        environment = run_compat.published_environment(chosen)
        _certify(session, chosen.report_path, seconds, arguments, environment, Path(folder))


@nox.session(python=None)
@nox.parametrize("version", [nox.param(version, id=version) for version in MATRIX.mlflow])
def mlflow(session: nox.Session, version: str) -> None:
    """The reference target and the tutorial plugin under one MLflow, or none."""
    requirement = MATRIX.mlflow[version]
    packages = [run_compat.ROOT / s.package for s in MATRIX.subjects.values() if s.package]
    seconds = _prepare(session, [requirement] if requirement else [], packages)
    run_compat.REPORTS.mkdir(parents=True, exist_ok=True)
    for subject in MATRIX.subjects.values():
        report = MATRIX.report_path(version, subject.name)
        with tempfile.TemporaryDirectory(prefix=f"compat-{subject.name}-") as folder:
            arguments = run_compat.subject_arguments(subject, Path(folder), report)
            environment = dict(run_compat.RUN_ENVIRONMENT)
            _certify(session, report, seconds, arguments, environment, Path(folder))
        # Later subjects reuse the environment: its time is counted once.
        seconds = 0.0
