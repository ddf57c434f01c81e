"""``python -m conformance verify REPORT.json``: can a report handed to a CI gate be trusted?"""

from __future__ import annotations

import argparse
import sys

from conformance._judgement import Verdict
from conformance._verify import verify_report

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Tools around the MLflow deployments conformance kit.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser(
        "verify",
        help="check a JSON report against the schema and this kit's catalogue, and recompute "
        "its verdict",
    )
    verify.add_argument("report", help="the JSON report a run wrote (--conformance-report)")
    verify.add_argument(
        "--require",
        metavar="VERDICTS",
        type=_verdicts,
        help="also fail unless the verdict is one of these (comma-separated, e.g. "
        "'conformant' or 'conformant,conformant-with-waivers'), with the exit code a run with "
        "that verdict ends with: a CI gate that does not rest on pytest's exit code alone",
    )
    arguments = parser.parse_args(argv)
    problems, verdict = verify_report(arguments.report)
    if problems:
        for problem in problems:
            print(f"MISMATCH: {problem}", file=sys.stderr)
        print(f"{arguments.report}: NOT verified ({len(problems)} problem(s))", file=sys.stderr)
        return 1
    print(f"{arguments.report}: verified; verdict {verdict}")
    required: list[Verdict] | None = arguments.require
    if required is not None and Verdict(verdict) not in required:
        wanted = " or ".join(str(v) for v in required)
        print(f"{arguments.report}: the verdict is {verdict}, not {wanted}", file=sys.stderr)
        return max(Verdict(verdict).exit_code, 1)
    return 0


def _verdicts(text: str) -> list[Verdict]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = ", ".join(str(v) for v in Verdict)
    try:
        verdicts = [Verdict(name) for name in names]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} names no verdict; use one of {known}") from None
    if not verdicts:
        raise argparse.ArgumentTypeError(f"name at least one verdict: {known}")
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
