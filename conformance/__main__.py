"""``python -m conformance verify REPORT.json``: can a report handed to a CI gate be trusted?"""

from __future__ import annotations

import argparse
import sys

from conformance.verify import verify_report

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
    arguments = parser.parse_args(argv)
    problems, verdict = verify_report(arguments.report)
    if problems:
        for problem in problems:
            print(f"MISMATCH: {problem}", file=sys.stderr)
        print(f"{arguments.report}: NOT verified ({len(problems)} problem(s))", file=sys.stderr)
        return 1
    print(f"{arguments.report}: verified; verdict {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
