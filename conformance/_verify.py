"""Checking a report someone hands over: schema, catalogue digest, and the verdict recomputed.

A CI gate that reads ``summary.verdict`` from a file trusts whoever wrote the file. These checks
make an edited or stale report fail loudly: its shape must match the schema, its catalogue must
be the installed kit's, each check must be the catalogue's, and the verdict and counts must
follow from the checks' outcomes by the kit's own rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance._catalogue import CATALOGUE
from conformance.report import SCHEMA_PATH, Report, catalogue_digest

__all__ = ["verify_report"]


def verify_report(path: str | Path) -> tuple[list[str], str | None]:
    """The problems found in the report at ``path`` (none: it verifies), and its verdict."""
    try:
        data: Any = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        return [f"cannot read {path}: {error}"], None
    problems = _schema_problems(data)
    if problems:
        return problems, None
    installed = catalogue_digest()
    if data["provenance"]["catalogue_digest"] != installed:
        problems.append(
            f"the report was made with catalogue {data['provenance']['catalogue_digest']}, "
            f"but this kit's is {installed}: verify with the kit version that made it "
            f"({data['versions'].get('kit')})"
        )
    catalogue = {c.id: c for c in CATALOGUE}
    seen = [check["id"] for check in data["checks"]]
    if sorted(seen) != sorted(catalogue):
        missing = sorted(set(catalogue) - set(seen))
        extra = sorted(set(seen) - set(catalogue))
        problems.append(f"the checks differ from the catalogue: missing {missing}, extra {extra}")
    for check in data["checks"]:
        entry = catalogue.get(check["id"])
        if entry is not None and (check["level"], check["capability"]) != (
            str(entry.level),
            str(entry.capability),
        ):
            problems.append(f"{check['id']}: level or capability differ from the catalogue")
    report = Report.from_dict(data)
    recomputed = report.summary()
    for key in ("verdict", "counts", "must_failures", "should_failures", "waivers"):
        if data["summary"][key] != recomputed[key]:
            problems.append(
                f"summary.{key} says {data['summary'][key]!r}, but the checks give "
                f"{recomputed[key]!r}"
            )
    return problems, recomputed["verdict"]


def _schema_problems(data: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    return [
        f"schema: {'.'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ][:10]
