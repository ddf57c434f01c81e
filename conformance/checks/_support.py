"""What many checks need: the shared deployment, and small judges of values and errors."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conformance.calling import Outcome
from conformance.context import Context
from conformance.verdicts import (
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
    "SharedDeployment",
    "canonical",
    "expect_error",
    "expect_named_dict",
    "flat_numbers",
    "listed_names",
    "matches",
    "predictions_of",
    "shared_deployment",
    "shared_outcome",
    "start_shared",
]


LIST_CHECK = "deployment.list.returns-dicts"
RESPONSE_CHECK = "predict.returns-response"
GET_CHECK = "deployment.get.returns-name"
CREATE_CHECK = "deployment.create.returns-name"


@dataclass
class SharedDeployment:
    """The one deployment that read-only checks share, created once per process."""

    name: str
    model_uri: str
    created: Outcome
    first_predict: Outcome


def _create_shared(context: Context) -> SharedDeployment:
    models = context.models()
    name = context.namer.fresh("shared")
    config = context.create_config
    created = context.client.attempt(
        "create_deployment", name, models.primary, context.profile.flavor, config
    )
    context.notes["create_seconds"] = round(created.seconds, 4)
    first_predict = (
        context.client.attempt("predict", name, context.sample_input())
        if created.ok
        else Outcome(error=PreconditionFailed("create failed"))
    )
    return SharedDeployment(name, models.primary, created, first_predict)


SHARED_SCENARIO = "shared deployment"


def shared_outcome(context: Context) -> SharedDeployment:
    """The shared deployment's record, whether its create worked or not."""
    return context.scenario(SHARED_SCENARIO, _create_shared)


def start_shared(context: Context) -> None:
    """Begin creating the shared deployment in the background, if this process has not."""
    context.start_scenario(SHARED_SCENARIO, _create_shared)


def shared_deployment(context: Context) -> SharedDeployment:
    """The shared deployment, which must exist for the calling check to judge anything."""
    shared = shared_outcome(context)
    if not shared.created.ok:
        raise PreconditionFailed(
            f"the shared deployment could not be created ({shared.created.error}); see "
            "deployment.create.returns-name"
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
    """``value`` as the JSON it serialises to, so values of different types compare."""
    import orjson

    from conformance.api.predictions import to_jsonable_bytes

    return orjson.loads(to_jsonable_bytes(value))


def flat_numbers(predictions: Any) -> list[float] | None:
    """The predictions as a flat list of floats, or None when they are not all numbers."""
    import numpy as np
    import pandas as pd

    try:
        values = canonical(predictions)
        frame = pd.DataFrame(values if isinstance(values, list) else [values])
        return [float(v) for v in np.asarray(frame.to_numpy(), dtype=float).ravel()]
    except Exception:
        return None


def matches(actual: Any, expected: Iterable[float] | Any) -> bool:
    """True when two predictions agree: numbers to 1e-9, anything else as JSON."""
    left, right = flat_numbers(actual), flat_numbers(expected)
    if left is not None and right is not None:
        return len(left) == len(right) and all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
            for a, b in zip(left, right, strict=True)
        )
    try:
        return bool(canonical(actual) == canonical(expected))
    except Exception:
        return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
