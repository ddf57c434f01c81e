"""Check bodies, one module per area, each registered under its catalogue id.

A body takes the run's :class:`~conformance.context.Context` and either returns (the plugin
keeps the clause) or raises :class:`~conformance.verdicts.CheckFailed` saying how it broke it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from conformance.catalogue import CATALOGUE, by_id
from conformance.context import Context

__all__ = ["AREAS", "SLOWEST_FIRST", "CheckBody", "bodies", "check", "groups"]

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
    "foreign",
)

# Areas whose checks only read the shared deployment: one worker can judge them all.
_SHARED_AREAS = {"create", "read", "predict", "predictions", "errors", "optional"}

# Scenario groups by how long they wait on a slow target, longest first. xdist hands groups
# out in this order, first one to each worker and then a second to each, so the long chains
# start at once on separate workers and the cheapest groups pair with the longest ones.
SLOWEST_FIRST = (
    "lifecycle",  # the race, two updates, three deletes, in sequence
    "endpoints",  # an endpoint and a deployment under it, created and deleted
    "stateful",  # one generated sequence
    "shared",  # the shared deployment, hostile names, and the property checks' CPU time
    "bad-model",  # a create that fails fast
    "module",  # no deployment at all
    "config-none",  # one create
    "foreign",  # one listing per kind: last, once the other checks had their chance to harm
)

_BODIES: dict[str, CheckBody] = {}
_GROUPS: dict[str, str] = {}


def check(check_id: str, group: str | None = None) -> Callable[[CheckBody], CheckBody]:
    """Register the decorated function as the body of catalogue check ``check_id``.

    ``group`` names the scenario the check judges; under pytest-xdist, checks of one group run
    on one worker so the scenario runs once. By default it is the area, or "shared" for areas
    that only read the shared deployment.
    """
    by_id(check_id)  # an id missing from the catalogue is a mistake in this package

    def register(body: CheckBody) -> CheckBody:
        if check_id in _BODIES:
            raise RuntimeError(f"two bodies for check {check_id!r}")
        area = body.__module__.rsplit(".", 1)[-1]
        _BODIES[check_id] = body
        _GROUPS[check_id] = group or ("shared" if area in _SHARED_AREAS else area)
        return body

    return register


def groups() -> dict[str, str]:
    """Each check's scenario group, keyed by id."""
    bodies()
    return dict(_GROUPS)


def bodies() -> dict[str, CheckBody]:
    """Every check's body, keyed by id, in catalogue order."""
    for area in AREAS:
        importlib.import_module(f"conformance.checks.{area}")
    missing = [c.id for c in CATALOGUE if c.id not in _BODIES]
    if missing:
        raise RuntimeError(f"catalogue checks without a body: {missing}")
    return {c.id: _BODIES[c.id] for c in CATALOGUE}
