"""The terminal summary: a short table per capability, then what failed and why."""

from __future__ import annotations

from typing import Any

from conformance.catalogue import Capability
from conformance.profile import Profile
from conformance.report import Report

__all__ = ["write_summary"]


def write_summary(terminal: Any, report: Report, profile: Profile | None) -> None:
    """Write the conformance section of pytest's terminal summary."""
    terminal.write_sep("=", f"deployment conformance: {report.target}")
    states = report.capabilities()
    header = f"{'capability':<11} {'passed':>6} {'failed':>6} {'skipped':>7}  status"
    terminal.write_line(header)
    for capability in Capability:
        results = [c for c in report.checks if c.capability == str(capability)]
        passed = sum(c.outcome == "passed" for c in results)
        failed = sum(c.outcome in ("failed", "error") for c in results)
        skipped = sum(c.outcome in ("skipped", "xfailed") for c in results)
        terminal.write_line(
            f"{capability!s:<11} {passed:>6} {failed:>6} {skipped:>7}  {states[str(capability)]}"
        )
    summary = report.summary()
    if report.must_failures:
        terminal.write_line("")
        terminal.write_line("MUST failures:", red=True, bold=True)
        for result in report.must_failures:
            terminal.write_line(f"  {result.id} ({result.outcome}): {_one_line(result.message)}")
    should = report.should_failures
    warnings = [(c.id, w) for c in report.checks for w in c.warnings]
    if should or warnings:
        terminal.write_line("")
        strict = " (strict: these fail the run)" if profile and profile.strict else ""
        terminal.write_line(f"SHOULD warnings{strict}:", yellow=True, bold=True)
        for result in should:
            terminal.write_line(f"  {result.id}: {_one_line(result.message)}")
        for check_id, warning in warnings:
            terminal.write_line(f"  {check_id}: {_one_line(warning)}")
    xfailed = [c for c in report.checks if c.outcome == "xfailed"]
    if xfailed:
        terminal.write_line("")
        terminal.write_line("Expected failures:")
        for result in xfailed:
            terminal.write_line(f"  {result.id}: {_one_line(result.message)}")
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
    if not report.applicable:
        terminal.write_line("no check applied to this target: the run fails", red=True)
    verdict = "CONFORMANT" if summary["conformant"] else "NOT CONFORMANT"
    terminal.write_line(
        f"verdict: {verdict} ({summary['passed']} passed, {len(report.must_failures)} MUST "
        f"failures, {len(should)} SHOULD failures, {summary['skipped']} skipped)",
        green=summary["conformant"],
        red=not summary["conformant"],
        bold=True,
    )


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 160 else line[:157] + "..."
