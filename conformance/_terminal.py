"""The terminal summary: counts per capability, what failed and why, waivers, the verdict."""

from __future__ import annotations

import shlex
from typing import Any

from conformance._judgement import CheckOutcome, Verdict
from conformance._profile import Profile
from conformance._run_inputs import NO_MODEL
from conformance._scenario_run import first_cause
from conformance.report import Published, Report

__all__ = ["write_summary"]

_COLUMNS = (
    (CheckOutcome.PASSED, "passed"),
    (CheckOutcome.FAILED, "failed"),
    (CheckOutcome.COULD_NOT_CHECK, "no check"),
    (CheckOutcome.NOT_APPLICABLE, "n/a"),
    (CheckOutcome.WAIVED, "waived"),
    (CheckOutcome.NOT_RUN, "not run"),
)


def write_summary(
    terminal: Any, report: Report, profile: Profile | None, publication: list[Published]
) -> None:
    """Write the conformance section of pytest's terminal summary."""
    terminal.write_sep("=", f"deployment conformance: {report.target}")
    states = report.capabilities()
    terminal.write_line(
        f"{'capability':<11}" + "".join(f" {title:>8}" for _, title in _COLUMNS) + "  status"
    )
    for capability, counts in report.counts_by_capability().items():
        terminal.write_line(
            f"{capability:<11}"
            + "".join(f" {counts[str(outcome)]:>8}" for outcome, _ in _COLUMNS)
            + f"  {states[capability]}"
        )
    summary = report.summary()
    shown: set[str] = set()  # reproducer paths listed so far: a shared one is listed once
    _section(terminal, "MUST failures:", report.must_failures, shown, red=True)
    strict = " (strict: these fail the run)" if profile and profile.strict else ""
    remarks = [(c.id, w) for c in report.checks for w in c.warnings]
    if report.should_failures or remarks:
        terminal.write_line("")
        terminal.write_line(f"SHOULD failures and remarks{strict}:", yellow=True, bold=True)
        for result in report.should_failures:
            terminal.write_line(f"  {result.id}: {_one_line(result.message)}")
            _reproducer_line(terminal, result, shown)
        for check_id, remark in remarks:
            terminal.write_line(f"  {check_id} (remark): {_one_line(remark)}")
    _section(
        terminal,
        "Could not check (blocked by another failure or the setup):",
        report.with_outcome(CheckOutcome.COULD_NOT_CHECK),
        shown,
    )
    if summary["waivers"]:
        terminal.write_line("")
        terminal.write_line("Waivers:", bold=True)
        for waiver in summary["waivers"]:
            covered = (
                "stale: the check passes, remove the waiver"
                if waiver["outcome"] == "stale"
                else f"covers a {waiver['outcome'].replace('-', ' ')} {waiver['level']} check"
            )
            terminal.write_line(f"  {waiver['id']}: {covered}; reason: {waiver['reason']}")
    terminal.write_line("")
    statistics = report.statistics
    terminal.write_line(
        f"deployments created: {summary['deployments_created']}; plugin calls: "
        f"{statistics.get('plugin_calls', 0)}; leftovers: "
        f"{', '.join(summary['leftovers']) or 'none'}"
    )
    for check_id, budget in statistics.get("notes", {}).get("hypothesis", {}).items():
        latency = budget["latency_seconds"]
        terminal.write_line(
            f"{check_id}: {budget['examples']} example{'' if budget['examples'] == 1 else 's'} "
            f"({budget['profile']} profile"
            f"{f', create latency {latency:g} s' if latency else ''}"
            f"{'' if budget['shrinking'] else ', no shrinking'})"
        )
    if statistics.get("swept"):
        terminal.write_line(f"swept from earlier runs: {', '.join(statistics['swept'])}")
    for label, reason in statistics.get("notes", {}).get("sweep_skipped", {}).items():
        terminal.write_line(f"sweep spared {label}: {reason}")
    for line in publication:
        terminal.write_line(line.line, red=not line.written)
    verdict = Verdict(summary["verdict"])
    counts = summary["counts"]
    must, should = len(report.must_failures), len(report.should_failures)
    words = [
        f"{counts['passed']} passed",
        f"{counts['failed']} failed ({must} MUST, {should} SHOULD)",
    ]
    words += [f"{counts[str(o)]} {o.label}" for o, _ in _COLUMNS[2:]]
    terminal.write_line(
        f"verdict: {verdict.value.upper()} ({', '.join(words)}; exit code {verdict.exit_code})",
        green=verdict in (Verdict.CONFORMANT, Verdict.CONFORMANT_WITH_WAIVERS),
        red=verdict is Verdict.NOT_CONFORMANT,
        yellow=verdict is Verdict.INCOMPLETE,
        bold=True,
    )
    for reason in summary["incomplete_because"]:
        terminal.write_line(f"  incomplete: {reason}", yellow=True)
    _rerun_hint(terminal, report)


def _section(
    terminal: Any, title: str, results: list[Any], shown: set[str], red: bool = False
) -> None:
    if not results:
        return
    terminal.write_line("")
    terminal.write_line(title, red=red, bold=True)
    # Checks blocked by one cause (a plugin that did not load, no model to deploy) share one
    # line, whichever scenarios passed the cause on to them.
    alike: dict[str, list[Any]] = {}
    for result in results:
        alike.setdefault(first_cause(result.message), []).append(result)
    for message, group in alike.items():
        if len(group) < _SHARED_LINE:
            for result in group:
                terminal.write_line(f"  {result.id}: {_one_line(result.message)}")
                _reproducer_line(terminal, result, shown)
            continue
        ids = [result.id for result in group]
        named = ", ".join(ids) if len(ids) <= 3 else f"{', '.join(ids[:2])} and {len(ids) - 2} more"
        terminal.write_line(f"  {len(ids)} checks ({named}): {_one_line(message)}")
        _reproducer_line(terminal, group[0], shown)


# How many checks with one message share a line; fewer are listed one by one.
_SHARED_LINE = 3


def _reproducer_line(terminal: Any, result: Any, shown: set[str]) -> None:
    # Checks blocked by a plugin that did not load share the loading check's script.
    if result.reproducer_path and result.reproducer_path not in shown:
        shown.add(result.reproducer_path)
        terminal.write_line(f"    reproducer: {result.reproducer_path}")


def _rerun_hint(terminal: Any, report: Report) -> None:
    """How to run the failed and unchecked checks again, and nothing else."""
    # The failures first: a check that could not be judged is most often blocked by one.
    failing = report.with_outcome(CheckOutcome.FAILED) or report.with_outcome(
        CheckOutcome.COULD_NOT_CHECK
    )
    if not failing:
        return
    config = getattr(terminal, "config", None)
    given = list(config.invocation_params.args) if config is not None else []
    kept: list[str] = []
    skip_next = False
    for argument in given:
        if skip_next:
            skip_next = False
            continue
        if argument in ("-k", "--lf", "--last-failed", "--ff", "--failed-first"):
            skip_next = argument == "-k"
            continue
        if argument.startswith("-k"):
            continue
        kept.append(argument)
    if all(NO_MODEL in result.message for result in failing):
        # Nothing failed: the run could not deploy. Re-running a selection would not either.
        models = ["--deployment-model-uri=PRIMARY_URI", "--deployment-model-uri=UPDATED_URI"]
        terminal.write_line("")
        terminal.write_line("re-run with two models to deploy:", bold=True)
        terminal.write_line(f"  {shlex.join(['pytest', *kept, *models])}")
        terminal.write_line(
            "  (or install the kit's mlflow extra, so it saves two tiny pyfunc models itself)"
        )
        return
    expression = " or ".join(result.id for result in failing)
    command = shlex.join(["pytest", *kept, "-k", expression])
    missing_scripts = not any(result.reproducer_path for result in failing)
    terminal.write_line("")
    terminal.write_line("re-run only these checks:", bold=True)
    terminal.write_line(f"  {command}")
    terminal.write_line(
        "  (or add --lf to re-run the MUST failures of the last run; "
        + (
            "--conformance-reproducers=DIR writes a script per failure)"
            if missing_scripts
            else "each reproducer runs on its own with python)"
        )
    )


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 160 else line[:157] + "..."
