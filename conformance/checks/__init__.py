"""Check bodies, one module per area, each registered under its catalogue id.

A body takes the run's :class:`~conformance.context.Context` and either returns (the plugin
keeps the clause) or raises :class:`~conformance.verdicts.CheckFailed` saying how it broke it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from conformance.catalogue import CATALOGUE, by_id
from conformance.context import Context

__all__ = ["AREAS", "CheckBody", "bodies", "check"]

CheckBody = Callable[[Context], None]

AREAS = (
    "module",
    "create",
    "read",
    "lifecycle",
    "predict",
    "predictions",
    "errors",
    "names",
    "concurrency",
    "stateful",
    "endpoints",
    "optional",
)

_BODIES: dict[str, CheckBody] = {}


def check(check_id: str) -> Callable[[CheckBody], CheckBody]:
    """Register the decorated function as the body of catalogue check ``check_id``."""
    by_id(check_id)  # an id missing from the catalogue is a mistake in this package

    def register(body: CheckBody) -> CheckBody:
        if check_id in _BODIES:
            raise RuntimeError(f"two bodies for check {check_id!r}")
        _BODIES[check_id] = body
        return body

    return register


def bodies() -> dict[str, CheckBody]:
    """Every check's body, keyed by id, in catalogue order."""
    for area in AREAS:
        importlib.import_module(f"conformance.checks.{area}")
    missing = [c.id for c in CATALOGUE if c.id not in _BODIES]
    if missing:
        raise RuntimeError(f"catalogue checks without a body: {missing}")
    return {c.id: _BODIES[c.id] for c in CATALOGUE}
