"""``slow_target``: a full default run against a target where every deployment takes 1 s.

Real targets take seconds to minutes per deployment, so what matters there is how many
deployments the kit creates, not its own speed. ``memory:/slow?latency=1`` makes each create
and update take one second. One serial run records its wall time and
``summary.deployments_created`` from ``--conformance-report``. Goals: ≤ 8 deployments, < 60 s.
It takes about half a minute, so it runs once (whatever ``--rounds`` says), and only with
``--all`` or ``--only slow_target``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks import Figure, Settings, run_pytest, spread, write_pytest_ini

NAME = "slow_target"
TARGET = "memory:/slow?latency=1"
MAX_DEPLOYMENTS = 8
MAX_SECONDS = 60.0


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures=f"one serial run against {TARGET}: wall time",
        unit="s",
        goal=f"< {MAX_SECONDS:g} s, ≤ {MAX_DEPLOYMENTS} deployments",
    )
    with tempfile.TemporaryDirectory(prefix="bench-slow-target-") as tmp:
        folder = Path(tmp)
        write_pytest_ini(folder)
        report = folder / "report.json"
        run = run_pytest(
            folder,
            f"--deployment-target={TARGET}",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--conformance-report={report}",
        )
        summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    created, seconds = int(summary["deployments_created"]), run.wall
    figure.result = spread([seconds])
    figure.met = seconds < MAX_SECONDS and created <= MAX_DEPLOYMENTS
    figure.details = {
        "deployments_created": created,
        "passed": summary["passed"],
        "total": summary["total"],
        "conformant": summary["conformant"],
    }
    return figure
