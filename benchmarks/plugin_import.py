"""``plugin_import``: what installing the kit costs every other pytest run.

pytest imports every installed ``pytest11`` plugin at start-up, in every project of the
environment, whether or not ``--deployment-target`` is given. This figure times
``pytest --co -q`` on a folder holding one trivial test, with the kit's plugin enabled and
disabled (``-p no:<entry point>``), in interleaved subprocess pairs, and reports the difference
in milliseconds (goal < 50 ms). It also lists which heavy modules a bare
``import conformance.plugin`` pulls in (goal: none).

Two subprocess start-ups differ by hundreds of milliseconds on a busy machine, far more than the
goal, so the figure also records the import time of ``conformance.plugin`` alone as Python's
``-X importtime`` reports it (with pytest already imported, as in a pytest run): a precise
number for the module's own share, though it leaves out the plugin's hooks.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import Figure, Settings, interleave, run_env, run_pytest, spread, write_pytest_ini

NAME = "plugin_import"
GOAL_MS = 50.0
HEAVY = ("hypothesis", "jsonschema", "mlflow", "numpy", "pandas")
MIN_ROUNDS = 10  # subprocess start-up varies by tens of ms: fewer pairs cannot see 50 ms


def entry_point_name() -> str:
    """The name under which the kit's pytest plugin is installed (what ``-p no:`` takes)."""
    for entry_point in importlib.metadata.entry_points(group="pytest11"):
        if entry_point.value == "conformance.plugin":
            return entry_point.name
    raise RuntimeError("the kit's pytest plugin is not installed: pip install -e .")


def heavy_modules() -> list[str]:
    """Heavy top-level packages in ``sys.modules`` after importing only the plugin module."""
    code = (
        "import json, sys\nimport conformance.plugin\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], env=run_env(), capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(completed.stdout)
    return found


def import_ms() -> float:
    """Milliseconds ``import conformance.plugin`` takes after ``import pytest``, by importtime."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest, conformance.plugin"],
        env=run_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    # Lines read "import time: <self us> | <cumulative us> | <indented module name>".
    for line in completed.stderr.splitlines():
        fields = line.split("|")
        if len(fields) == 3 and fields[2].strip() == "conformance.plugin":
            return int(fields[1]) / 1000
    raise RuntimeError("-X importtime did not report conformance.plugin")


def measure(settings: Settings) -> Figure:
    rounds = max(MIN_ROUNDS, settings.rounds)
    name = entry_point_name()
    figure = Figure(
        NAME,
        measures="pytest --co start-up, plugin enabled minus disabled",
        unit="ms",
        goal=f"< {GOAL_MS:g} ms, no heavy imports",
    )
    with tempfile.TemporaryDirectory(prefix="bench-plugin-import-") as tmp:
        folder = Path(tmp)
        write_pytest_ini(folder)
        (folder / "test_trivial.py").write_text("def test_trivial():\n    pass\n")
        base = ("--co", "-q", "-p", "no:cacheprovider")
        samples = interleave(
            {
                "enabled": lambda: run_pytest(folder, *base),
                "disabled": lambda: run_pytest(folder, *base, "-p", f"no:{name}"),
            },
            rounds,
        )
    pairs = list(zip(samples["enabled"], samples["disabled"], strict=True))
    differences = [(on.wall - off.wall) * 1000 for on, off in pairs]
    cpu_differences = [(on.cpu - off.cpu) * 1000 for on, off in pairs]
    heavy = heavy_modules()
    imports = [import_ms() for _ in range(rounds)]
    figure.judge(spread(differences), GOAL_MS, higher_is_better=False)
    figure.met = figure.met and not heavy
    figure.details = {
        "entry_point": name,
        "rounds": rounds,
        "enabled_seconds": vars(spread([run.wall for run in samples["enabled"]])),
        "disabled_seconds": vars(spread([run.wall for run in samples["disabled"]])),
        "differences_ms": differences,
        "cpu_difference_ms": vars(spread(cpu_differences)),
        "heavy_modules": heavy,
        "import_ms": vars(spread(imports)),
    }
    return figure
