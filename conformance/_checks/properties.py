"""Hypothesis support for the property-based and stateful checks: strategies, and example
budgets.

A default ("quick") run rations deployments: a check whose examples create deployments gets one
example, because on a real target each deployment takes minutes. The "thorough" profile gives
such checks as many examples as the target's measured create latency affords.
"""

from __future__ import annotations

import os
from typing import Any

from conformance._context import Context

__all__ = ["SLOW", "dns_names", "examples_for", "is_slow", "json_predictions", "settings_for"]

_BASE_EXAMPLES = {"quick": 25, "thorough": 200}
_THOROUGH_WAIT = 120.0  # seconds of target latency a thorough check may spend
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
    """DNS-1123 labels that start with ``prefix`` and end in a letter, at most 40 characters.

    The kit's own names all end in a number; generated names end in a letter, so between them a
    run covers both (plugins that append versions or suffixes tend to break one of the two).
    """
    from hypothesis import strategies as st

    letters = "abcdefghijklmnopqrstuvwxyz"
    room = max(40 - len(prefix) - 1, 1)
    middle = st.text(alphabet=letters + "0123456789-", max_size=room - 1)
    return (
        st.tuples(middle, st.sampled_from(letters))
        .map(lambda parts: f"{prefix}-{parts[0]}{parts[1]}")
        .filter(lambda name: "--" not in name[len(prefix) :])
    )


def _latency(context: Context) -> float:
    """Seconds one create takes, measured on the shared deployment (created here if need be:
    under xdist a worker may reach a property check before any other check made it)."""
    from conformance._checks._support import shared_outcome

    shared_outcome(context)
    return context.measured_latency()


def is_slow(context: Context) -> bool:
    """Whether the target's creates take long enough to ration property-based examples."""
    return _latency(context) >= SLOW


def examples_for(context: Context, creates_per_example: float) -> int:
    """How many examples a check gets, given what each example costs on this target."""
    profile = context.profile.hypothesis
    examples = _BASE_EXAMPLES[profile]
    if not creates_per_example:
        return examples
    if profile == "quick":
        return 1  # a default run's deployments are rationed; see the module's docstring
    latency = _latency(context)
    if latency > 0:
        affordable = int(_THOROUGH_WAIT / (latency * max(creates_per_example, 1) * 2))
        examples = min(examples, max(affordable, 1))
    return examples


def settings_for(context: Context, check_id: str, creates_per_example: float, **extra: Any) -> Any:
    """Hypothesis settings for ``check_id``; the budget is recorded for the report."""
    from hypothesis import HealthCheck, Phase, settings

    examples = examples_for(context, creates_per_example)
    rationed = creates_per_example > 0 and context.profile.hypothesis == "quick"
    # Shrinking replays examples, and every replay creates deployments again: not against a slow
    # target, and not in a run whose deployments are rationed. Deciding that for a rationed
    # check needs no latency, so a worker that runs only such checks measures none.
    shrinking = creates_per_example == 0 or (not rationed and not is_slow(context))
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if shrinking:
        phases.append(Phase.shrink)
    latency = context.measured_latency()
    context.notes.setdefault("hypothesis", {})[check_id] = {
        "profile": context.profile.hypothesis,
        "examples": examples,
        "latency_seconds": latency if latency else None,
        "shrinking": shrinking,
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
