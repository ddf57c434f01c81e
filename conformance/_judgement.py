"""The words a run is judged in: each check's outcome, the run's verdict, and its exit code.

One vocabulary serves the terminal, the JSON report, the certificate, the junit properties and
:func:`conformance.run`, so that every place says the same thing about the same run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "EXIT_CODES",
    "CheckOutcome",
    "RunEnding",
    "Verdict",
    "VerdictBasis",
    "decide_verdict",
]


class CheckOutcome(str, enum.Enum):
    """What became of one check."""

    PASSED = "passed"
    FAILED = "failed"
    COULD_NOT_CHECK = "could-not-check"  # blocked by another check's failure, or by the setup
    NOT_APPLICABLE = "not-applicable"  # the capability it needs is absent
    WAIVED = "waived"  # it did not pass, and the user waived it with a reason
    NOT_RUN = "not-run"  # deselected, or the run ended before it

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The outcome as words, for tables and summaries."""
        return self.value.replace("-", " ")


class Verdict(str, enum.Enum):
    """The run's one-word answer."""

    CONFORMANT = "conformant"
    CONFORMANT_WITH_WAIVERS = "conformant-with-waivers"
    NOT_CONFORMANT = "not-conformant"
    INCOMPLETE = "incomplete"

    def __str__(self) -> str:
        return self.value

    @property
    def certifies(self) -> bool:
        """Whether a certificate may be written for it: an incomplete run proves nothing."""
        return self is not Verdict.INCOMPLETE

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self]


# 0 and 1 keep pytest's meaning; 2-5 are pytest's own (interrupted, internal error, usage error,
# no tests) and 6 is pytest 9's --max-warnings: an incomplete run gets 10, clear of them all.
EXIT_CODES: Mapping[Verdict, int] = {
    Verdict.CONFORMANT: 0,
    Verdict.CONFORMANT_WITH_WAIVERS: 0,
    Verdict.NOT_CONFORMANT: 1,
    Verdict.INCOMPLETE: 10,
}


class RunEnding(str, enum.Enum):
    """How the run stopped."""

    FINISHED = "finished"
    INTERRUPTED = "interrupted"  # Ctrl-C, or pytest told to stop early (-x, --maxfail)
    PROCESS_ENDED = "process-ended"  # the plugin ended or hung the process; the watchdog wrote
    # the report

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class VerdictBasis:
    """What a verdict is decided from: each check's level, capability and outcome."""

    id: str
    level: str
    capability: str
    outcome: CheckOutcome
    waived: bool = False


def decide_verdict(
    checks: Iterable[VerdictBasis], ending: RunEnding, strict: bool = False
) -> tuple[Verdict, list[str]]:
    """The verdict, and why a run is incomplete when it is.

    - A run the user limited (deselected checks, Ctrl-C, -x) is incomplete whatever it found:
      its certificate must not replace one of a whole run.
    - Otherwise a failed MUST check (or SHOULD, with ``strict``) makes it not conformant.
    - Otherwise every MUST check must have been judged, and the module and core capabilities
      must have been judged at all: what was not is a reason the run is incomplete.
    - Waived MUST checks turn "conformant" into "conformant-with-waivers".
    """
    checks = list(checks)
    reasons: list[str] = []
    not_run = [c.id for c in checks if c.outcome is CheckOutcome.NOT_RUN]
    if ending is RunEnding.INTERRUPTED:
        reasons.append("the run was interrupted before it finished")
    if not_run and ending is not RunEnding.PROCESS_ENDED:
        reasons.append(f"{len(not_run)} check(s) did not run: {', '.join(not_run[:5])}")
    if reasons:
        return Verdict.INCOMPLETE, reasons
    binding = {"MUST", "SHOULD"} if strict else {"MUST"}
    if any(c.outcome is CheckOutcome.FAILED and c.level in binding for c in checks):
        return Verdict.NOT_CONFORMANT, []
    if ending is RunEnding.PROCESS_ENDED:
        reasons.append("the process running the checks ended before the run finished")
    unjudged = [
        c.id
        for c in checks
        if c.level in binding
        and not c.waived
        and c.outcome in (CheckOutcome.COULD_NOT_CHECK, CheckOutcome.NOT_RUN)
    ]
    if unjudged:
        reasons.append(f"MUST check(s) could not be judged: {', '.join(unjudged[:5])}")
    for capability in ("module", "core"):
        judged = [
            c
            for c in checks
            if c.capability == capability
            and c.outcome in (CheckOutcome.PASSED, CheckOutcome.FAILED, CheckOutcome.WAIVED)
        ]
        if not judged:
            reasons.append(f"no check of the '{capability}' capability was judged")
    if reasons:
        return Verdict.INCOMPLETE, reasons
    if any(c.outcome is CheckOutcome.WAIVED and c.level in binding for c in checks):
        return Verdict.CONFORMANT_WITH_WAIVERS, []
    return Verdict.CONFORMANT, []
