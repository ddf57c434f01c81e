"""Hypothesis support for the property-based and stateful checks: strategies, and example
budgets scaled to the target's measured latency so a slow target still finishes in minutes.
"""

from __future__ import annotations

import os
from typing import Any

from conformance.context import Context

__all__ = ["SLOW", "dns_names", "examples_for", "is_slow", "json_predictions", "settings_for"]

_BASE_EXAMPLES = {"quick": 25, "thorough": 200}
_TIME_BUDGET = {"quick": 10.0, "thorough": 120.0}  # seconds of target latency per check
SLOW = 0.2  # seconds per create above which a target counts as slow


def json_predictions() -> Any:
    """JSON-able predictions: numbers, strings, lists, records and nested dicts."""
    from hypothesis import strategies as st

    scalars = (
        st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
        | st.booleans()
        | st.none()
    )
    keys = st.text(min_size=1, max_size=10)
    records = st.lists(st.dictionaries(keys, scalars, max_size=4), max_size=5)
    nested = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )
    return (
        st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=20) | records | nested
    )


def dns_names(prefix: str) -> Any:
    """DNS-1123 labels that start with the run's prefix, at most 40 characters long."""
    from hypothesis import strategies as st

    room = max(40 - len(prefix) - 1, 1)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"
    return (
        st.text(alphabet=alphabet, min_size=1, max_size=room)
        .map(lambda tail: f"{prefix}-{tail}".rstrip("-"))
        .filter(lambda name: not name.endswith("-") and "--" not in name[len(prefix) :])
    )


def _latency(context: Context) -> float:
    """Seconds one create takes, measured on the shared deployment (created here if need be:
    under xdist a worker may reach a property check before any other check made it)."""
    from conformance.checks._support import shared_outcome

    shared_outcome(context)
    return context.measured_latency()


def is_slow(context: Context) -> bool:
    """Whether the target's creates take long enough to ration property-based examples."""
    return _latency(context) >= SLOW


def examples_for(context: Context, creates_per_example: float) -> int:
    """How many examples a check gets, given what each example costs on this target."""
    profile = context.profile.hypothesis
    examples = _BASE_EXAMPLES[profile]
    latency = _latency(context)
    if creates_per_example and latency > 0:
        affordable = int(_TIME_BUDGET[profile] / (latency * max(creates_per_example, 1) * 2))
        examples = min(examples, max(affordable, 1))
        if latency >= SLOW and profile == "quick":
            examples = 1  # one example each keeps a default run under 8 deployments
    return examples


def settings_for(context: Context, check_id: str, creates_per_example: float, **extra: Any) -> Any:
    """Hypothesis settings for ``check_id``; the budget is recorded for the report."""
    from hypothesis import HealthCheck, Phase, settings

    examples = examples_for(context, creates_per_example)
    slow = creates_per_example > 0 and is_slow(context)
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if not slow:
        phases.append(Phase.shrink)  # shrinking against a slow target would take hours
    context.notes.setdefault("hypothesis", {})[check_id] = {
        "profile": context.profile.hypothesis,
        "examples": examples,
        "latency_seconds": _latency(context),
        "shrinking": not slow,
    }
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=bool(os.environ.get("CI")),
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        **extra,
    )
