"""Benchmarks of the kit, run with ``python -m benchmarks``.

Every figure compares two things measured side by side in the same run, in interleaved rounds,
so that whatever else the machine is doing slows both sides alike. A figure reports the median
over its rounds and the min-max spread; the spread is the honest measure of machine noise.

This module holds what the figures share: settings, the result record, timing helpers.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "Figure",
    "Run",
    "Settings",
    "Spread",
    "interleave",
    "run_child",
    "run_env",
    "run_kit",
    "run_pytest",
    "spread",
    "write_pytest_ini",
]


@dataclass(frozen=True)
class Settings:
    """What the command line asked for."""

    rounds: int
    quick: bool


@dataclass(frozen=True)
class Spread:
    """Median and min-max of one figure's samples."""

    median: float
    low: float
    high: float


@dataclass
class Figure:
    """One row of the results table."""

    name: str
    measures: str
    unit: str
    goal: str
    result: Spread | None = None
    met: bool | None = None
    noisy: bool = False  # the spread reaches both sides of the goal: one run cannot tell
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    def judge(self, result: Spread, goal: float, *, higher_is_better: bool) -> None:
        """Record ``result``, whether its median meets ``goal``, and whether its spread does."""
        self.result = result
        self.met = result.median >= goal if higher_is_better else result.median <= goal
        self.noisy = result.low < goal < result.high


@dataclass(frozen=True)
class Run:
    """One subprocess run: wall time, and the CPU time it used (less sensitive to other load)."""

    wall: float
    cpu: float


T = TypeVar("T")


def spread(samples: Sequence[float]) -> Spread:
    return Spread(statistics.median(samples), min(samples), max(samples))


def interleave(sides: dict[str, Callable[[], T]], rounds: int) -> dict[str, list[T]]:
    """Measure each side once per round, alternating which goes first to cancel drift."""
    names = list(sides)
    samples: dict[str, list[T]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            samples[name].append(sides[name]())
    return samples


def run_env() -> dict[str, str]:
    """This environment, minus anything that would change what pytest loads, and no telemetry."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    }
    env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="1")
    return env


def write_pytest_ini(folder: Path) -> None:
    """Pin pytest's rootdir to ``folder`` so no ini or conftest above it is read."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pytest(folder: Path, *args: str) -> Run:
    """Time ``python -m pytest ARGS`` in ``folder``, in seconds; it must succeed."""
    command = [sys.executable, "-m", "pytest", *args]
    cpu_before = _children_cpu()
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=folder, env=run_env(), capture_output=True, text=True, check=False
    )
    run = Run(wall=time.perf_counter() - start, cpu=_children_cpu() - cpu_before)
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command)} exited {completed.returncode}:\n{tail}")
    return run


ROOT = Path(__file__).resolve().parent.parent


def run_child(module: str, *args: str, timeout: float = 600.0) -> Any:
    """Run ``python -m MODULE ARGS`` from the repository root and return its last stdout line,
    parsed as JSON.

    In-process figures measure in a fresh interpreter, so what earlier figures imported or left
    on the heap (and the garbage collector's work over it) does not leak into their numbers.
    """
    command = [sys.executable, "-m", module, *args]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=run_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command)} exited {completed.returncode}:\n{tail}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_kit(folder: Path, target: str, *extra: str) -> tuple[Run, dict[str, Any]]:
    """Time one default conformance run against ``target`` in ``folder``; return its run and
    the ``summary`` of its JSON report (``deployments_created``, ``passed``, ...)."""
    write_pytest_ini(folder)
    report = folder / "report.json"
    report.unlink(missing_ok=True)
    run = run_pytest(
        folder,
        f"--deployment-target={target}",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--conformance-report={report}",
        *extra,
    )
    return run, json.loads(report.read_text(encoding="utf-8"))["summary"]
