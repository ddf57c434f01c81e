"""``python -m benchmarks``: measure the figures, print a table, write ``results/latest.json``.

Options: ``--only NAME`` runs one figure, ``--rounds N`` sets the rounds per figure, ``--quick``
uses smaller inputs and fewer rounds, ``--all`` adds the slow figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from benchmarks import (
    Figure,
    Settings,
    default_models_cache,
    default_run_deployments,
    durable_processes,
    foreign_snapshot,
    kit_overhead,
    latency_chain,
    list_100k,
    memory_per_deployment,
    plugin_import,
    predictions_roundtrip,
    reference_predict,
    scoring_load,
    slow_target,
    store_ops,
    watchdog_cost,
    xdist_slow,
)

MEASURE: dict[str, Callable[[Settings], Figure]] = {
    predictions_roundtrip.NAME: predictions_roundtrip.measure,
    plugin_import.NAME: plugin_import.measure,
    kit_overhead.NAME: kit_overhead.measure,
    reference_predict.NAME: reference_predict.measure,
    store_ops.NAME: store_ops.measure,
    list_100k.NAME: list_100k.measure,
    memory_per_deployment.NAME: memory_per_deployment.measure,
    durable_processes.NAME: durable_processes.measure,
    foreign_snapshot.NAME: foreign_snapshot.measure,
    slow_target.NAME: slow_target.measure,
    latency_chain.NAME: latency_chain.measure,
    default_run_deployments.NAME: default_run_deployments.measure,
    default_models_cache.NAME: default_models_cache.measure,
    xdist_slow.NAME: xdist_slow.measure,
    watchdog_cost.NAME: watchdog_cost.measure,
    scoring_load.NAME: scoring_load.measure,
}
# Figures that take half a minute or more: only with --all or --only.
SLOW = {
    slow_target.NAME,
    latency_chain.NAME,
    default_run_deployments.NAME,
    xdist_slow.NAME,
    default_models_cache.NAME,
    watchdog_cost.NAME,
    scoring_load.NAME,
}
# Units shown without decimals.
WHOLE_UNITS = {"ms", "B", "ops/s", "deployments"}
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

NOISE_NOTE = (
    "Each figure compares two sides measured in the same run, in interleaved rounds, so load "
    "from other processes slows both sides alike; absolute seconds are not comparable between "
    "machines or runs. The spread is min-max over the rounds: differences inside it are noise."
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", choices=sorted(MEASURE), help="run this figure only")
    parser.add_argument("--rounds", type=int, help="rounds per figure (default 5; --quick 3)")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer rounds")
    parser.add_argument("--all", action="store_true", help="include the slow figures")
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def chosen(args: argparse.Namespace) -> list[str]:
    if args.only:
        return [args.only]
    slow_wanted = args.all and not args.quick
    return [name for name in MEASURE if name not in SLOW or slow_wanted]


def row(figure: Figure) -> tuple[str, str, str, str, str]:
    if figure.skipped or figure.result is None:
        return (figure.name, "skipped", "", figure.goal, figure.skipped or "")
    result = figure.result
    digits = 0 if figure.unit in WHOLE_UNITS else 2
    value = f"{result.median:.{digits}f} {figure.unit}"
    spread = f"{result.low:.{digits}f}-{result.high:.{digits}f}"
    status = ("met" if figure.met else "MISSED") + (" (noisy)" if figure.noisy else "")
    return (figure.name, value, spread, figure.goal, status)


# Details that hold a spread (median, low, high): their key, what they say, and their unit.
_SPREAD_DETAILS = (
    ("import_ms", "`import conformance.plugin` alone (-X importtime)", " ms"),
    (
        "over_import_floor",
        "over empty tests that import pandas, numpy and the target (the floor any MLflow-style "
        "call pays)",
        "x",
    ),
    ("ops_per_second", "operations per second", ""),
)


def _spread_line(label: str, spread: dict[str, float], unit: str) -> str:
    digits = 0 if spread["median"] >= 1000 else 1 if unit == " ms" else 2
    low, high = (f"{spread[side]:.{digits}f}" for side in ("low", "high"))
    return f"  {label}: median {spread['median']:.{digits}f}{unit}, spread {low}-{high}"


def print_table(figures: list[Figure]) -> None:
    header = ("figure", "median", "spread (min-max)", "goal", "status")
    rows = [header, *(row(figure) for figure in figures)]
    widths = [max(len(r[column]) for r in rows) for column in range(len(header))]
    for number, cells in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    if any(figure.noisy for figure in figures):
        print("(noisy): the spread reaches both sides of the goal; run again with more --rounds.")
    for figure in figures:
        print(f"- {figure.name}: {figure.measures}")
        cpu = figure.details.get("cpu_ratio") or figure.details.get("cpu_difference_ms")
        if cpu is not None:
            unit = " ms" if figure.unit == "ms" else " x"
            print(_spread_line("the same in CPU time (less sensitive to other load)", cpu, unit))
        for key, label, unit in _SPREAD_DETAILS:
            if key in figure.details:
                print(_spread_line(label, figure.details[key], unit))
        heavy = figure.details.get("heavy_modules")
        if heavy is not None:
            print(f"  heavy modules after `import conformance.plugin`: {heavy or 'none'}")
        marginal = figure.details.get("per_latency_second")
        if marginal is not None:
            print(
                f"  per extra second of target latency (latency=2 run over latency=1): parallel "
                f"grows {marginal:.2f}x as much as serial"
            )
        if "deployments_created" in figure.details:
            print(f"  deployments created: {figure.details['deployments_created']}")
        for phase in ("create", "get", "delete"):
            phase_seconds = figure.details.get(f"{phase}_seconds")
            if phase_seconds is not None:
                print(f"  {phase}: median {phase_seconds['median']:.2f} s")
        if "bytes_at_10k" in figure.details:
            print(f"  at 10,000 deployments: {figure.details['bytes_at_10k']:.0f} B each")
        if "without_gc_ms" in figure.details:
            without_gc = figure.details["without_gc_ms"]
            print(f"  the same call with the cyclic GC off: {without_gc:.0f} ms")
        if "final_state" in figure.details:
            print(f"  final state after every round: {figure.details['final_state']}")
        for side, load in figure.details.get("sides", {}).items():
            print(
                f"  {side}: {load['requests_per_second']['median']:.0f} requests/s, p50 "
                f"{load['p50_ms']['median']:.1f} ms, p99 {load['p99_ms']['median']:.1f} ms, "
                f"peak RSS {load['peak_rss_mb']:.0f} MB"
            )
        if "p99_ratio" in figure.details:
            print(
                _spread_line(
                    "p99 latency, run_local over MLflow's", figure.details["p99_ratio"], "x"
                )
            )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(rounds=args.rounds or (3 if args.quick else 5), quick=args.quick)
    load_before = os.getloadavg()
    figures: list[Figure] = []
    for name in chosen(args):
        print(f"measuring {name} …", file=sys.stderr, flush=True)
        figure = MEASURE[name](settings)
        if figure.skipped:
            print(f"  {name} skipped: {figure.skipped}", file=sys.stderr)
        figures.append(figure)
    load_after = os.getloadavg()

    print()
    print_table(figures)
    print()
    cpus = os.cpu_count()
    noise = (
        f"Machine noise: load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
        f"on {cpus} CPUs. {NOISE_NOTE}"
    )
    print(textwrap.fill(noise, width=100))

    RESULTS.parent.mkdir(exist_ok=True)
    document = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": cpus,
        "load_average": {"before": load_before, "after": load_after},
        "settings": asdict(settings),
        "noise_note": NOISE_NOTE,
        "figures": [asdict(figure) for figure in figures],
    }
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"Results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
