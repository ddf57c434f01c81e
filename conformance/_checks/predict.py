"""Predict: the response type, missing deployments, and inputs left as they were."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance import _catalogue as catalogue
from conformance._calling import Outcome
from conformance._checks import check
from conformance._checks._support import SHARED, predictions_of, shared_deployment
from conformance._context import Context
from conformance._models import CONTAINERS
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PreconditionFailed

_RETURNS_RESPONSE = catalogue.known_id("predict.returns-response")


def is_predictions_response(value: Any) -> bool:
    """The kit's PredictionsResponse, or MLflow's."""
    from conformance.api import PredictionsResponse
    from conformance.api._mlflow import mlflow_deployments

    if isinstance(value, PredictionsResponse):
        return True
    deployments = mlflow_deployments()
    return deployments is not None and isinstance(value, deployments.PredictionsResponse)


@dataclass(frozen=True)
class Prediction:
    """Predict on the shared deployment: the sample input's outcome, and, with the kit's own
    models and input, one outcome per other container the model was asked for."""

    outcome: Outcome
    containers: tuple[tuple[str, Outcome], ...] = ()

    def outcomes(self) -> list[tuple[str, Outcome]]:
        """Every outcome, labelled by the container asked for ("" for the model's own)."""
        return [("", self.outcome), *self.containers]


def _predict(context: Context) -> Prediction:
    shared = shared_deployment(context)
    outcome = shared.client.attempt("predict", shared.name, context.sample_input())
    requests = context.models().container_requests(context.sample_input(), context.input_is_default)
    return Prediction(
        outcome,
        tuple(
            (container, shared.client.attempt("predict", shared.name, request))
            for container, request in requests
        ),
    )


# Predicts on the shared deployment, which later checks take apart.
PREDICTION = scenario(catalogue.PREDICTION, depends_on=[SHARED])(_predict)


def prediction(context: Context) -> Outcome:
    """One predict on the shared deployment, made once per process."""
    return PREDICTION.result(context).outcome


def for_container(container: str) -> str:
    """How a message names the response to a request for ``container`` ("" for none)."""
    return f" (model output: {CONTAINERS[container]})" if container else ""


def response(context: Context) -> Any:
    """The shared deployment's PredictionsResponse, which later checks take apart."""
    return _usable(prediction(context))


def responses(context: Context) -> list[tuple[Any, str]]:
    """Every PredictionsResponse of the prediction scenario, each with how a message names it
    (see :func:`for_container`).

    With the kit's default models the same deployment answered in each container real pyfunc
    models return, so a check that writes responses as JSON walks every path to JSON.
    """
    return [
        (_usable(outcome), for_container(label))
        for label, outcome in PREDICTION.result(context).outcomes()
    ]


def _usable(outcome: Outcome) -> Any:
    if not outcome.ok:
        raise PreconditionFailed(f"predict failed ({outcome.error}); see {_RETURNS_RESPONSE}")
    if not is_predictions_response(outcome.value) or "predictions" not in outcome.value:
        raise PreconditionFailed(
            f"predict did not return a PredictionsResponse; see {_RETURNS_RESPONSE}"
        )
    return outcome.value


@check(_RETURNS_RESPONSE)
def returns_response(context: Context) -> None:
    for container, outcome in PREDICTION.result(context).outcomes():
        if not outcome.ok:
            raise CheckFailed(f"{outcome.error}{for_container(container)}")
        value = outcome.value
        if not is_predictions_response(value):
            raise CheckFailed(
                f"predict returned {type(value).__module__}.{type(value).__qualname__}, not a "
                "PredictionsResponse; `mlflow deployments predict` calls .to_json() on it"
                f"{for_container(container)}"
            )
        predictions_of(value, "predict")


@check("predict.input-unchanged")
def input_unchanged(context: Context) -> None:
    shared = shared_deployment(context)
    given, pristine = context.sample_input(), context.sample_input()
    shared.client.predict(shared.name, given)
    if not _same(given, pristine):
        raise CheckFailed("predict modified the input it was given")


def _same(left: Any, right: Any) -> bool:
    import pandas as pd

    if isinstance(left, pd.DataFrame) and isinstance(right, pd.DataFrame):
        return (
            left.equals(right)
            and list(left.columns) == list(right.columns)
            and (list(left.dtypes) == list(right.dtypes))
        )
    try:
        import numpy as np

        return bool(np.array_equal(np.asarray(left, dtype=object), np.asarray(right, dtype=object)))
    except Exception:
        return bool(left == right)
