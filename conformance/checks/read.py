"""Get and list: dicts with 'name', missing names, JSON-able dicts, shared state."""

from __future__ import annotations

from conformance.checks import check
from conformance.checks._support import (
    expect_error,
    expect_named_dict,
    listed_names,
    shared_deployment,
)
from conformance.context import Context
from conformance.verdicts import CheckFailed, PluginRaised, describe


def missing_get(context: Context):
    """get_deployment of a name never created, once per process."""
    return context.scenario(
        "missing get",
        lambda ctx: ctx.client.attempt("get_deployment", ctx.namer.fresh("never-created")),
    )


@check("deployment.get.returns-name")
def get_returns_name(context: Context) -> None:
    shared = shared_deployment(context)
    value = context.client.get_deployment(shared.name)
    expect_named_dict(value, shared.name, f"get_deployment({shared.name!r})")


def missing_get_error(context: Context) -> BaseException:
    """What getting a never-created name raised; that it returned instead fails the caller."""
    return expect_error(
        context, missing_get(context), "getting a name that does not exist must raise"
    )


@check("deployment.get.missing-raises")
def get_missing_raises(context: Context) -> None:
    missing_get_error(context)


@check("deployment.list.returns-dicts")
def list_returns_dicts(context: Context) -> None:
    shared = shared_deployment(context)
    names = listed_names(context.client.list_deployments(), "list_deployments()")
    if shared.name not in names:
        raise CheckFailed(f"list_deployments() does not show the deployment {shared.name!r}")


@check("deployment.dicts-json-able")
def dicts_json_able(context: Context) -> None:
    import json

    shared = shared_deployment(context)
    samples = {
        "create_deployment": shared.created.value,
        "get_deployment": context.client.get_deployment(shared.name),
        "list_deployments": context.client.list_deployments(),
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
