"""``kit_overhead``: a full conformance run against ``memory`` versus as many empty tests.

The memory target answers in microseconds, so nearly all of a run's time is the kit's own:
loading its machinery, building scenarios, tracking and cleaning up, writing the verdict. The
baseline is pytest running ``len(CATALOGUE)`` empty tests, so the ratio says how much the kit
costs on top of pytest itself. Subprocess runs, interleaved. Goal ≤ 1.5, reported as measured.

A third side splits the figure: the same empty tests in a process that also imports pandas,
numpy and the target's module. Any run that calls a plugin as ``mlflow deployments predict``
does (with a DataFrame) pays those imports, and the memory target imports pandas itself; the
kit's run over that floor is the part the kit's own code costs (``details.over_import_floor``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import Figure, Settings, interleave, run_pytest, spread, write_pytest_ini

NAME = "kit_overhead"
GOAL = 1.5


def measure(settings: Settings) -> Figure:
    from conformance._catalogue import CATALOGUE

    count = len(CATALOGUE)
    figure = Figure(
        NAME,
        measures=f"pytest --deployment-target=memory / {count} empty tests",
        unit="x",
        goal=f"≤ {GOAL:g}",
    )
    with tempfile.TemporaryDirectory(prefix="bench-kit-overhead-") as tmp:
        kit, empty = Path(tmp, "kit"), Path(tmp, "empty")
        floor = Path(tmp, "floor")
        tests = "".join(f"def test_{number}():\n    pass\n\n\n" for number in range(count))
        for folder in (kit, empty, floor):
            write_pytest_ini(folder)
        for folder in (empty, floor):
            (folder / "test_empty.py").write_text(tests, encoding="utf-8")
        (floor / "conftest.py").write_text(
            "import numpy\nimport pandas\n\nimport reference_target.client\n", encoding="utf-8"
        )
        samples = interleave(
            {
                "kit": lambda: run_pytest(
                    kit, "--deployment-target=memory", "-q", "-p", "no:cacheprovider"
                ),
                "empty": lambda: run_pytest(empty, "-q", "-p", "no:cacheprovider"),
                "floor": lambda: run_pytest(floor, "-q", "-p", "no:cacheprovider"),
            },
            settings.rounds,
        )
    pairs = list(zip(samples["kit"], samples["empty"], strict=True))
    ratios = [kit.wall / empty.wall for kit, empty in pairs]
    figure.judge(spread(ratios), GOAL, higher_is_better=False)
    figure.details = {
        "checks": count,
        "rounds": settings.rounds,
        "kit_seconds": vars(spread([run.wall for run in samples["kit"]])),
        "empty_seconds": vars(spread([run.wall for run in samples["empty"]])),
        "ratios": ratios,
        "import_floor_seconds": vars(spread([run.wall for run in samples["floor"]])),
        "over_import_floor": vars(
            spread(
                [
                    kit.wall / floor.wall
                    for kit, floor in zip(samples["kit"], samples["floor"], strict=True)
                ]
            )
        ),
        "cpu_ratio": vars(spread([kit.cpu / empty.cpu for kit, empty in pairs])),
    }
    return figure
