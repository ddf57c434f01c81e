"""What many checks need: the shared deployment, and small judges of values and errors."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conformance import _catalogue as catalogue
from conformance._calling import Outcome
from conformance._context import Context
from conformance._recording import summarise
from conformance._scenarios import scenario
from conformance._tracking import TrackedClient
from conformance._verdicts import (
    CheckFailed,
    NameChanged,
    PluginRaised,
    PreconditionFailed,
    ShapeFailed,
    describe,
    error_code,
    error_kind,
)

__all__ = [
    "SHARED",
    "SharedDeployment",
    "canonical",
    "expect_error",
    "expect_named_dict",
    "flat_numbers",
    "listed_names",
    "matches",
    "predictions_of",
    "same_number",
    "same_values",
    "shared_deployment",
    "shared_outcome",
    "survives_round_trip",
]


# Checks that own a defect many checks may meet, which the others point to.
LIST_CHECK = catalogue.known_id("deployment.list.returns-dicts")
RESPONSE_CHECK = catalogue.known_id("predict.returns-response")
GET_CHECK = catalogue.known_id("deployment.get.returns-name")
CREATE_CHECK = catalogue.known_id("deployment.create.returns-name")


@dataclass(frozen=True)
class SharedDeployment:
    """The one deployment that read-only checks share, created once per process.

    ``client`` is the tracked client that created it: checks and scenarios that act on it go
    through that client, so they reach it even where state lives on the client instance.
    """

    name: str
    model_uri: str
    created: Outcome
    first_predict: Outcome
    client: TrackedClient


def _delete_shared(context: Context, shared: SharedDeployment) -> None:
    if shared.created.ok:
        shared.client.attempt("delete_deployment", shared.name)


def _create_shared(context: Context) -> SharedDeployment:
    models = context.models()
    name = context.namer.fresh("shared")
    client = context.client
    created = client.attempt(
        "create_deployment", name, models.primary, context.profile.flavor, context.create_config
    )
    context.notes["create_seconds"] = round(created.seconds, 4)
    first_predict = (
        client.attempt("predict", name, context.sample_input())
        if created.ok
        else Outcome(error=PreconditionFailed("create failed"))
    )
    return SharedDeployment(name, models.primary, created, first_predict, client)


SHARED = scenario(catalogue.SHARED, creates=1, waits=1, release=_delete_shared)(_create_shared)


def shared_outcome(context: Context) -> SharedDeployment:
    """The shared deployment's record, whether its create worked or not."""
    return SHARED.result(context)


def shared_deployment(context: Context) -> SharedDeployment:
    """The shared deployment, which must exist for the calling check to judge anything."""
    shared = shared_outcome(context)
    if not shared.created.ok:
        raise PreconditionFailed(
            f"the shared deployment could not be created ({shared.created.error}); see "
            f"{CREATE_CHECK}"
        )
    return shared


def expect_named_dict(value: Any, name: str, call: str, owner: str | None = None) -> dict[str, Any]:
    """``value`` must be a dict whose 'name' is ``name``.

    A value of the wrong shape is the ``owner`` check's failure when one is named; a wrong name
    is always the calling check's.
    """
    if not isinstance(value, dict):
        raise ShapeFailed(
            f"{call} returned {type(value).__name__} {_short(value)}, not a dict", owner
        )
    if "name" not in value:
        raise ShapeFailed(f"{call} returned a dict without a 'name' key: {_short(value)}", owner)
    if value["name"] != name:
        raise NameChanged(f"{call} returned name {value['name']!r}, but {name!r} was asked for")
    return value


def listed_names(value: Any, call: str, owner: str | None = LIST_CHECK) -> list[Any]:
    """The names in a listing, which must be a list of dicts that each have 'name'.

    A listing of the wrong shape is the ``owner`` check's failure; other checks that merely
    read the listing report that they could not check.
    """
    if not isinstance(value, list):
        raise ShapeFailed(
            f"{call} returned {type(value).__name__} {_short(value)}, not a list", owner
        )
    for entry in value:
        if not isinstance(entry, dict) or "name" not in entry:
            raise ShapeFailed(
                f"{call} returned an entry without a 'name' key: {_short(entry)}", owner
            )
    return [entry["name"] for entry in value]


def expect_error(context: Context, outcome: Outcome, clause: str) -> BaseException:
    """The call must have raised an MlflowException (an HTTPError passes with a warning)."""
    if outcome.ok:
        raise CheckFailed(f"{clause}, but the call returned {_short(outcome.value)}")
    error = outcome.error
    assert error is not None
    raised = error.error if isinstance(error, PluginRaised) else error
    if not isinstance(error, PluginRaised):  # a timeout, say
        raise CheckFailed(f"{clause}, but {error}")
    kind = error_kind(raised)
    if kind == "other":
        raise CheckFailed(
            f"{clause}: expected MlflowException, got {describe(raised)} from {error.call}"
        )
    if kind == "http":
        context.warn(
            f"{error.call} raised {describe(raised)}; it passes, but MlflowException is what "
            "callers catch"
        )
    return raised


def expect_code(error: BaseException, code: str, call: str) -> None:
    """The error must carry ``code``."""
    found = error_code(error)
    if found != code:
        raise CheckFailed(
            f"{call} raised {describe(error)} with error_code {found!r}; expected {code!r}"
        )


def predictions_of(response: Any, call: str) -> Any:
    """The 'predictions' of a response, which must be a dict holding that key."""
    if not isinstance(response, dict) or "predictions" not in response:
        raise ShapeFailed(
            f"{call} returned {type(response).__name__} {_short(response)}, not a "
            "PredictionsResponse with a 'predictions' key",
            RESPONSE_CHECK,
        )
    return response["predictions"]


def canonical(value: Any) -> Any:
    """``value`` as plain Python data (lists, dicts, str, int, float, bool, None), so values of
    different types compare. Unlike strict JSON it keeps NaN, ±inf and -0.0 as they are: a
    value that survives a round trip must compare equal to itself, and inf must not become null
    and then equal -inf."""
    import numpy as np
    import pandas as pd

    if isinstance(value, float) or value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict):
        return {_canonical_key(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return canonical(value.to_dict(orient="records"))
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return canonical(value.tolist())
    if isinstance(value, np.generic):
        return canonical(value.item())
    if isinstance(value, (set, frozenset)):
        return canonical(sorted(value, key=repr))
    return value


def _canonical_key(key: Any) -> Any:
    import numpy as np

    return key.item() if isinstance(key, np.generic) else key


def flat_numbers(predictions: Any) -> list[float] | None:
    """The predictions as a flat list of floats, or None when they are not all numbers.

    A null counts as NaN: strict JSON writers spell NaN that way.
    """
    import numpy as np
    import pandas as pd

    try:
        values = canonical(predictions)
        frame = pd.DataFrame(values if isinstance(values, list) else [values])
        return [float(v) for v in np.asarray(frame.to_numpy(), dtype=float).ravel()]
    except Exception:
        return None


def same_number(left: float, right: float, tolerance: float = 0.0) -> bool:
    """Two numbers agree: NaN equals NaN, an infinity only its own sign. With no tolerance
    the sign of zero counts too, so a round trip that turns -0.0 into 0.0 does not pass."""
    if math.isnan(left) or math.isnan(right):
        return math.isnan(left) and math.isnan(right)
    if tolerance == 0.0:
        return left == right and math.copysign(1.0, left) == math.copysign(1.0, right)
    return math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same_values(left: Any, right: Any, tolerance: float = 0.0) -> bool:
    """Two canonical values (see :func:`canonical`) agree, numbers by :func:`same_number`."""
    if _is_number(left) and _is_number(right):
        if isinstance(left, int) and isinstance(right, int):
            return left == right  # exact, even beyond what a float holds
        return same_number(float(left), float(right), tolerance)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            same_values(left[key], right[key], tolerance) for key in left
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            same_values(a, b, tolerance) for a, b in zip(left, right, strict=True)
        )
    return type(left) is type(right) and bool(left == right)


def survives_round_trip(original: Any, restored: Any) -> bool:
    """``restored`` holds what ``original`` held: NaN is NaN again, ±inf and -0.0 are kept.

    The response's own equality decides first (the kit's class treats a NaN written as null as
    kept); otherwise the two are compared value by value, which a dict's ``==`` cannot do for
    NaN.
    """
    try:
        if restored == original:
            return True
    except Exception:
        pass  # numpy or pandas values refuse a truth value: compare them as values instead
    try:
        return same_values(canonical(original), canonical(restored))
    except Exception:
        return False


def matches(actual: Any, expected: Iterable[float] | Any) -> bool:
    """True when two predictions agree: numbers to 1e-9 (NaN equals NaN), anything else as
    plain values."""
    left, right = flat_numbers(actual), flat_numbers(expected)
    if left is not None and right is not None:
        return len(left) == len(right) and all(
            same_number(a, b, tolerance=1e-9) for a, b in zip(left, right, strict=True)
        )
    try:
        return same_values(canonical(actual), canonical(expected), tolerance=1e-9)
    except Exception:
        return False


def still_there(call: str, outcome: Outcome, after: str) -> str:
    """The failure of a get that answered ``after`` something was gone, with what it answered
    (a plugin that returns ``{}`` or ``None`` for a missing name shows here)."""
    return f"{call} still answers {after}: it returned {_short(outcome.value)} instead of raising"


def _short(value: Any) -> str:
    """One bounded line: a DataFrame as its shape and columns, never its rows."""
    return summarise(value, 120)
