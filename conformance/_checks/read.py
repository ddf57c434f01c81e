"""Get and list: dicts with 'name', missing names, JSON-able dicts, shared state."""

from __future__ import annotations

from dataclasses import dataclass

from conformance import _catalogue as catalogue
from conformance._calling import Outcome
from conformance._checks import check
from conformance._checks._support import (
    expect_error,
    expect_named_dict,
    listed_names,
    shared_deployment,
)
from conformance._context import Context
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PluginRaised, describe


@dataclass(frozen=True)
class Missing:
    """get, update, predict and delete of names never created."""

    get: Outcome
    update: Outcome
    predict: Outcome
    delete: Outcome


def _missing(context: Context) -> Missing:
    client, fresh = context.client, context.namer.fresh
    return Missing(
        client.attempt("get_deployment", fresh("never-created")),
        client.attempt("update_deployment", fresh("never-created"), context.models().primary),
        client.attempt("predict", fresh("never-created"), context.sample_input()),
        client.attempt("delete_deployment", fresh("never-created")),
    )


MISSING = scenario(catalogue.MISSING, waits=1)(_missing)


@check("deployment.get.returns-name")
def get_returns_name(context: Context) -> None:
    shared = shared_deployment(context)
    value = shared.client.get_deployment(shared.name)
    expect_named_dict(value, shared.name, f"get_deployment({shared.name!r})")


def missing_get_error(context: Context) -> BaseException:
    """What getting a never-created name raised; that it returned instead fails the caller."""
    return expect_error(
        context, MISSING.result(context).get, "getting a name that does not exist must raise"
    )


@check("deployment.get.missing-raises")
def get_missing_raises(context: Context) -> None:
    missing_get_error(context)


@check("deployment.update.missing-raises")
def update_missing_raises(context: Context) -> None:
    expect_error(
        context,
        MISSING.result(context).update,
        "updating a deployment that does not exist must raise",
    )


@check("predict.missing-raises")
def predict_missing_raises(context: Context) -> None:
    expect_error(
        context,
        MISSING.result(context).predict,
        "predicting with a deployment that does not exist must raise",
    )


@check("deployment.list.returns-dicts")
def list_returns_dicts(context: Context) -> None:
    shared = shared_deployment(context)
    names = listed_names(shared.client.list_deployments(), "list_deployments()")
    if shared.name not in names:
        raise CheckFailed(f"list_deployments() does not show the deployment {shared.name!r}")


@check("deployment.dicts-json-able")
def dicts_json_able(context: Context) -> None:
    import json

    shared = shared_deployment(context)
    samples = {
        "create_deployment": shared.created.value,
        "get_deployment": shared.client.get_deployment(shared.name),
        "list_deployments": shared.client.list_deployments(),
    }
    for call, value in samples.items():
        try:
            # The standard library, not orjson: orjson also writes datetimes and UUIDs, which
            # json.dumps (what most callers use) refuses.
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise CheckFailed(f"what {call} returned cannot be written as JSON: {error}") from None


@check("client.shared-state")
def shared_state(context: Context) -> None:
    shared = shared_deployment(context)
    try:
        second = context.new_raw_client()
    except PluginRaised:
        raise
    except CheckFailed:
        raise
    except Exception as error:
        raise CheckFailed(f"a second client could not be built: {describe(error)}") from error
    listing = context.runner.call("second client: list_deployments()", second.list_deployments)
    if shared.name not in listed_names(listing, "list_deployments() on a second client"):
        raise CheckFailed(
            f"a second client for {context.profile.target!r} does not see {shared.name!r}: "
            "state lives on the client instance, not in the target"
        )
