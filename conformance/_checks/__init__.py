"""Check bodies and the scenarios they judge, one module per area.

A body takes the run's :class:`~conformance._context.Context` and either returns (the plugin
keeps the clause) or raises :class:`~conformance._verdicts.CheckFailed` saying how it broke it.
It reads the result of the scenario its catalogue entry names
(:mod:`conformance._scenarios`); every module of this package is imported, so adding a check is
its catalogue entry and its body.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from conformance._catalogue import CATALOGUE, by_id
from conformance._context import Context
from conformance._scenarios import Scenario, registered, slowest_first

__all__ = [
    "CheckBody",
    "bodies",
    "check",
    "finishing_order",
    "groups",
    "scenario_of",
    "scenarios",
    "slowest_groups",
]

CheckBody = Callable[[Context], None]

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


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


def bodies() -> dict[str, CheckBody]:
    """Every check's body, keyed by id, in catalogue order."""
    _import_all()
    missing = [c.id for c in CATALOGUE if c.id not in _BODIES]
    if missing:
        raise RuntimeError(f"catalogue checks without a body: {missing}")
    return {c.id: _BODIES[c.id] for c in CATALOGUE}


def scenarios() -> dict[str, Scenario[Any]]:
    """Every scenario a catalogue check judges, by name; a name without a declaration raises."""
    _import_all()
    declared = registered()
    unknown = sorted({c.scenario for c in CATALOGUE} - set(declared))
    if unknown:
        raise RuntimeError(f"catalogue checks name undeclared scenarios: {unknown}")
    return declared


def scenario_of(check_id: str) -> Scenario[Any]:
    """The scenario check ``check_id`` judges."""
    return scenarios()[by_id(check_id).scenario]


def groups() -> dict[str, str]:
    """Each check's xdist group (its scenario's), keyed by id."""
    declared = scenarios()
    return {c.id: declared[c.scenario].group for c in CATALOGUE}


def finishing_order() -> list[str]:
    """Check ids in the order one process judges them: those whose scenarios end first, first
    (in target latencies from the run's start), the scenarios declared last at the end, and the
    catalogue's order among equals.

    Every scenario starts at once, and one that holds a deployment for its readers (the shared
    one) releases it once they are judged, so its delete does not wait behind checks whose
    longer scenarios are still running.
    """
    declared = scenarios()
    ranked = sorted(
        CATALOGUE, key=lambda c: (declared[c.scenario].last, declared[c.scenario].chain)
    )
    return [check.id for check in ranked]


def slowest_groups() -> list[str]:
    """The xdist groups, in the order the kit hands them out (longest chain first)."""
    return slowest_first(scenarios().values())
