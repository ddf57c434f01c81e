"""Endpoints: names, conflicts, updates, deletes, the deployments under an endpoint, and
predictions routed by endpoint; judged on one endpoint taken through its life.

With an existing endpoint in the profile (``existing_endpoint``), the reads and the predictions
routed by endpoint are judged on it, so a client that cannot create endpoints (MLflow's gateway
client, say) still has them judged. The kit never creates, updates or deletes that endpoint.
"""

from __future__ import annotations

import json
from typing import Any

from conformance import catalogue
from conformance.calling import Outcome
from conformance.checks import check
from conformance.checks._support import expect_code, expect_error, expect_named_dict, listed_names
from conformance.context import Context
from conformance.scenarios import scenario
from conformance.verdicts import (
    CapabilityAbsent,
    CheckFailed,
    PluginRaised,
    PluginTimedOut,
    PreconditionFailed,
    describe,
)

# Not a capability a profile declares: whether predict routes by endpoint is found out by asking.
ROUTING = "endpoint routing"
# What a Python caller passes when it hands update_endpoint the CLI's --config text as is.
BAD_CONFIG = "key=value"


def _attempt(context: Context, method: str, *args: Any) -> Outcome:
    try:
        return context.client.attempt(method, *args)
    except CapabilityAbsent as absent:
        return Outcome(error=absent)


def _routed(context: Context, method: str, endpoint: str) -> Outcome:
    """``method(None, sample, endpoint=endpoint)``, as `mlflow deployments <method> --endpoint`."""
    try:
        return context.client.attempt(method, None, context.sample_input(), endpoint)
    except CapabilityAbsent as absent:
        if absent.capability == "endpoints":  # the method takes no endpoint argument
            return Outcome(error=CapabilityAbsent(ROUTING, str(absent).split(": ", 1)[-1]))
        return Outcome(error=absent)


def _route(context: Context, steps: dict[str, Any], endpoint: str) -> None:
    steps["routed endpoint"] = endpoint
    steps["route"] = _routed(context, "predict", endpoint)
    if steps["route"].ok and context.declared("explain") is not False:
        steps["explain route"] = _routed(context, "explain", endpoint)


def _reads(context: Context, steps: dict[str, Any], endpoint: str) -> None:
    steps["read endpoint"] = endpoint
    steps["get"] = _attempt(context, "get_endpoint", endpoint)
    steps["list"] = _attempt(context, "list_endpoints")
    steps["get missing"] = _attempt(context, "get_endpoint", context.namer.fresh("never-created"))


def _update(context: Context, steps: dict[str, Any], endpoint: str) -> None:
    # An empty dict is what `mlflow deployments update-endpoint` sends without --config.
    steps["update"] = _attempt(context, "update_endpoint", endpoint, {})
    steps["get after update"] = _attempt(context, "get_endpoint", endpoint)
    missing = context.namer.fresh("never-created")
    steps["update missing"] = _attempt(context, "update_endpoint", missing, {})
    steps["get missing after update"] = _attempt(context, "get_endpoint", missing)
    steps["update bad config"] = _attempt(context, "update_endpoint", endpoint, BAD_CONFIG)
    steps["get after bad config"] = _attempt(context, "get_endpoint", endpoint)


def _delete_holding(context: Context, steps: dict[str, Any], endpoint: str) -> None:
    """delete_endpoint while a deployment is under it; then what still names it."""
    deployment = steps["deployment"]
    steps["delete holding"] = _attempt(context, "delete_endpoint", endpoint)
    if steps["delete holding"].ok:
        steps["after: list under"] = _attempt(context, "list_deployments", endpoint)
        steps["after: list all"] = _attempt(context, "list_deployments")
        steps["after: get deployment"] = _attempt(context, "get_deployment", deployment)
        _attempt(context, "delete_deployment", deployment)  # judged nowhere: only tidies up
    else:
        steps["after: get endpoint"] = _attempt(context, "get_endpoint", endpoint)
        steps["after: list under"] = _attempt(context, "list_deployments", endpoint)
        steps["delete deployment"] = _attempt(context, "delete_deployment", deployment, endpoint)


def _endpoint_life(context: Context) -> dict[str, Any]:
    client = context.client
    existing = context.profile.existing_endpoint
    endpoint = context.namer.fresh("endpoint")
    steps: dict[str, Any] = {"endpoint": endpoint}
    steps["create"] = _attempt(context, "create_endpoint", endpoint)
    created = steps["create"]
    if existing is not None:
        _reads(context, steps, existing)
        _route(context, steps, existing)
        if context.profile.existing_deployment is not None:
            steps["existing members"] = _attempt(context, "list_deployments", existing)
    if not created.ok:
        if existing is None and isinstance(created.error, CapabilityAbsent):
            raise created.error  # no endpoint to judge anything on: every check is absent
        return steps
    if existing is None:
        _reads(context, steps, endpoint)
    steps["create again"] = client.attempt("create_endpoint", endpoint)
    deployment = context.namer.fresh("in-endpoint")
    steps["deployment"] = deployment
    steps["create deployment"] = _attempt(
        context,
        "create_deployment",
        deployment,
        context.models().primary,
        context.profile.flavor,
        context.create_config,
        endpoint,
    )
    if steps["create deployment"].ok:
        steps["list deployments"] = _attempt(context, "list_deployments", endpoint)
        if existing is None:
            _route(context, steps, endpoint)
    _update(context, steps, endpoint)
    if steps["create deployment"].ok:
        steps["list deployments after update"] = _attempt(context, "list_deployments", endpoint)
        _delete_holding(context, steps, endpoint)
    client.attempt("delete_endpoint", endpoint)  # judged on an endpoint of its own, below
    return steps


# The endpoint's create, the deployment's create, the update, the deployment's delete and the
# endpoint's delete wait in sequence.
ENDPOINT = scenario(catalogue.ENDPOINT, creates=1, waits=5)(_endpoint_life)


def endpoint_life(context: Context) -> dict[str, Any]:
    return ENDPOINT.result(context)


def _endpoint_deleted(context: Context) -> dict[str, Any]:
    """An endpoint created, deleted, then deleted again: a chain of its own, so the endpoint
    life does not wait for the second delete."""
    client = context.client
    endpoint = context.namer.fresh("endpoint")
    steps: dict[str, Any] = {"endpoint": endpoint}
    steps["create"] = _attempt(context, "create_endpoint", endpoint)
    if steps["create"].ok:
        steps["delete"] = client.attempt("delete_endpoint", endpoint)
        steps["get after delete"] = client.attempt("get_endpoint", endpoint)
        steps["delete again"] = client.attempt("delete_endpoint", endpoint)
    return steps


ENDPOINT_DELETE = scenario(catalogue.ENDPOINT_DELETE, waits=3)(_endpoint_deleted)


def _step(steps: dict[str, Any], label: str) -> Outcome:
    """The outcome of step ``label``; a step that could not run says why the check cannot."""
    if label not in steps:
        created = steps["create"]
        if isinstance(created.error, CapabilityAbsent):
            raise created.error
        if not created.ok:
            raise PreconditionFailed(
                f"create_endpoint failed, so '{label}' never ran: {created.error}"
            )
        if not steps["create deployment"].ok:
            raise _deployment_missing(steps["create deployment"])
        raise PreconditionFailed(f"'{label}' never ran")
    outcome: Outcome = steps[label]
    if isinstance(outcome.error, CapabilityAbsent):
        raise outcome.error
    return outcome


def _member_deployment(steps: dict[str, Any]) -> None:
    """The deployment made under the endpoint, which must have been listed under it."""
    created = _step(steps, "create deployment")
    if not created.ok:
        raise _deployment_missing(created)
    try:
        _expect_listed(steps, "list deployments")
    except CheckFailed as failure:
        raise PreconditionFailed(
            f"the deployment was never listed under the endpoint ({failure}); see "
            "endpoint.lists-its-deployments"
        ) from None


def _deployment_missing(created: Outcome) -> BaseException:
    if isinstance(created.error, CapabilityAbsent):
        return created.error
    return PreconditionFailed(
        f"creating a deployment under the endpoint failed ({created.error}); see "
        "endpoint.lists-its-deployments"
    )


def _value(outcome: Outcome) -> Any:
    """The value of a call that must have worked; its error fails the check."""
    if not outcome.ok:
        raise CheckFailed(str(outcome.error))
    return outcome.value


# -- create, get, list, delete ----------------------------------------------------------------


@check("endpoint.create.returns-name")
def create_returns_name(context: Context) -> None:
    steps = endpoint_life(context)
    expect_named_dict(_value(_step(steps, "create")), steps["endpoint"], "create_endpoint")


@check("endpoint.create.conflict-raises")
def create_conflict_raises(context: Context) -> None:
    expect_error(
        context,
        _step(endpoint_life(context), "create again"),
        "creating an endpoint name that is in use must raise",
    )


@check("endpoint.get.returns-name")
def get_returns_name(context: Context) -> None:
    steps = endpoint_life(context)
    got = _value(_step(steps, "get"))
    name = steps["read endpoint"]
    expect_named_dict(got, name, f"get_endpoint({name!r})")


@check("endpoint.get.missing-raises")
def get_missing_raises(context: Context) -> None:
    expect_error(
        context,
        _step(endpoint_life(context), "get missing"),
        "getting an endpoint that does not exist must raise",
    )


@check("endpoint.list.returns-dicts")
def list_returns_dicts(context: Context) -> None:
    steps = endpoint_life(context)
    listing = _value(_step(steps, "list"))
    names = listed_names(listing, "list_endpoints()", "endpoint.list.returns-dicts")
    if steps["read endpoint"] not in names:
        raise CheckFailed(f"list_endpoints() does not show the endpoint {steps['read endpoint']!r}")


@check("endpoint.dicts-json-able")
def dicts_json_able(context: Context) -> None:
    steps = endpoint_life(context)
    samples = {
        call: steps[label].value
        for call, label in (
            ("create_endpoint", "create"),
            ("get_endpoint", "get"),
            ("list_endpoints", "list"),
        )
        if label in steps and steps[label].ok
    }
    if not samples:
        raise PreconditionFailed("no endpoint call returned anything to judge")
    for call, value in samples.items():
        try:
            # The standard library, as for deployments: it is what `mlflow deployments` and
            # most callers use, and it refuses datetimes and pydantic models.
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise CheckFailed(f"what {call} returned cannot be written as JSON: {error}") from None


@check("endpoint.delete.idempotent")
def delete_idempotent(context: Context) -> None:
    steps = ENDPOINT_DELETE.result(context)
    for label in ("delete", "delete again"):
        outcome = _step(steps, label)
        if not outcome.ok:
            raise CheckFailed(f"delete_endpoint ({label}) raised: {outcome.error}")
    if _step(steps, "get after delete").ok:
        raise CheckFailed(f"get_endpoint({steps['endpoint']!r}) still finds it after delete")


@check("endpoint.lists-its-deployments")
def lists_its_deployments(context: Context) -> None:
    steps = endpoint_life(context)
    if "existing members" in steps and not steps["create"].ok:
        _expect_existing_listed(context, steps)
        return
    created = _step(steps, "create deployment")
    if isinstance(created.error, CapabilityAbsent):
        raise created.error
    if not created.ok:
        raise CheckFailed(f"creating a deployment under the endpoint failed: {created.error}")
    _expect_listed(steps, "list deployments")


def _expect_listed(
    steps: dict[str, Any], label: str, owner: str = "endpoint.lists-its-deployments"
) -> None:
    listing = _value(_step(steps, label))
    names = listed_names(listing, "list_deployments(endpoint=…)", owner)
    if steps["deployment"] not in names:
        raise CheckFailed(
            f"list_deployments(endpoint={steps['endpoint']!r}) does not show "
            f"{steps['deployment']!r}, which was created under it ({label})"
        )


def _expect_existing_listed(context: Context, steps: dict[str, Any]) -> None:
    """The profile's existing deployment is listed under the profile's existing endpoint."""
    endpoint, deployment = steps["read endpoint"], context.profile.existing_deployment
    listing = _value(_step(steps, "existing members"))
    names = listed_names(listing, "list_deployments(endpoint=…)", "endpoint.lists-its-deployments")
    if deployment not in names:
        raise CheckFailed(
            f"list_deployments(endpoint={endpoint!r}) does not show {deployment!r}, which the "
            "profile names as a deployment under it"
        )


# -- update -----------------------------------------------------------------------------------


@check("endpoint.update.returns")
def update_returns(context: Context) -> None:
    steps = endpoint_life(context)
    endpoint = steps["endpoint"]
    updated = _step(steps, "update")
    if not updated.ok:
        raise CheckFailed(f"updating an existing endpoint raised: {updated.error}")
    got = _step(steps, "get after update")
    if not got.ok:
        raise CheckFailed(f"after update_endpoint, {got.error}")
    expect_named_dict(
        got.value,
        endpoint,
        f"get_endpoint({endpoint!r}) after update_endpoint",
        "endpoint.get.returns-name",
    )


def _missing_update_error(context: Context) -> BaseException:
    steps = endpoint_life(context)
    outcome = _step(steps, "update missing")
    if outcome.ok and _step(steps, "get missing after update").ok:
        raise CheckFailed(
            "update_endpoint of a name that does not exist returned and created the endpoint: "
            "an update must never create"
        )
    return expect_error(context, outcome, "updating an endpoint that does not exist must raise")


@check("endpoint.update.missing-raises")
def update_missing_raises(context: Context) -> None:
    _missing_update_error(context)


@check("endpoint.update.missing-code")
def update_missing_code(context: Context) -> None:
    expect_code(
        _missing_update_error(context),
        "RESOURCE_DOES_NOT_EXIST",
        "update_endpoint of a missing name",
    )


@check("endpoint.update.bad-config-raises")
def update_bad_config_raises(context: Context) -> None:
    steps = endpoint_life(context)
    before, after = _step(steps, "get after update"), _step(steps, "get after bad config")
    expect_error(
        context,
        _step(steps, "update bad config"),
        f"update_endpoint with config={BAD_CONFIG!r} (not a dict) must raise",
    )
    if before.ok and after.ok and before.value != after.value:
        raise CheckFailed(
            f"the refused update_endpoint(config={BAD_CONFIG!r}) still changed the endpoint: "
            f"{before.value!r:.120} became {after.value!r:.120}"
        )


@check("endpoint.update.keeps-deployments")
def update_keeps_deployments(context: Context) -> None:
    steps = endpoint_life(context)
    _member_deployment(steps)
    if not _step(steps, "update").ok:
        raise PreconditionFailed("update_endpoint raised; see endpoint.update.returns")
    _expect_listed(steps, "list deployments after update")


# -- delete with deployments under the endpoint -----------------------------------------------


@check("endpoint.delete.no-dangling-deployments")
def delete_no_dangling(context: Context) -> None:
    steps = endpoint_life(context)
    _member_deployment(steps)
    endpoint, deployment = steps["endpoint"], steps["deployment"]
    deleted = _step(steps, "delete holding")
    if not deleted.ok:
        expect_error(context, deleted, "a refused delete_endpoint must raise MlflowException")
        if not _step(steps, "after: get endpoint").ok:
            raise CheckFailed(
                f"delete_endpoint({endpoint!r}) raised, yet the endpoint is gone: a refused "
                "delete must change nothing"
            )
        _expect_listed(steps, "after: list under")
        return
    dangling = []
    under = _step(steps, "after: list under")
    if under.ok and deployment in _names(under.value):
        dangling.append(f"list_deployments(endpoint={endpoint!r}) still shows {deployment!r}")
    everything = _step(steps, "after: list all")
    if everything.ok and any(
        _names_endpoint(entry, deployment, endpoint) for entry in _entries(everything.value)
    ):
        dangling.append(f"list_deployments() shows {deployment!r} under {endpoint!r}")
    got = _step(steps, "after: get deployment")
    if got.ok and _names_endpoint(got.value, deployment, endpoint):
        dangling.append(f"get_deployment({deployment!r}) names endpoint {endpoint!r}")
    if dangling:
        raise CheckFailed(
            f"delete_endpoint({endpoint!r}) returned while {deployment!r} was under it, and "
            f"afterwards {'; '.join(dangling)}: refuse with MlflowException, or delete or move "
            "the endpoint's deployments with it"
        )


def _entries(listing: Any) -> list[Any]:
    return listing if isinstance(listing, list) else []


def _names(listing: Any) -> list[Any]:
    return [entry.get("name") for entry in _entries(listing) if isinstance(entry, dict)]


def _names_endpoint(entry: Any, deployment: str, endpoint: str) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("name") == deployment
        and entry.get("endpoint") == endpoint
    )


# -- predictions routed by endpoint -------------------------------------------------------------


def _route_outcome(steps: dict[str, Any]) -> Outcome:
    """predict(None, sample, endpoint=…); the target does not route when it raised."""
    route = _step(steps, "route")
    if isinstance(route.error, PluginTimedOut):
        raise CheckFailed(str(route.error))
    if route.error is not None:
        error = route.error.error if isinstance(route.error, PluginRaised) else route.error
        raise CapabilityAbsent(
            ROUTING,
            f"predict(None, inputs, endpoint={steps['routed endpoint']!r}) raised "
            f"{describe(error)}, so predictions are routed by deployment name only",
        )
    return route


@check("endpoint.predict.returns-response")
def predict_returns_response(context: Context) -> None:
    from conformance.checks.predict import is_predictions_response

    steps = endpoint_life(context)
    value = _route_outcome(steps).value
    call = f"predict(None, inputs, endpoint={steps['routed endpoint']!r})"
    if not is_predictions_response(value):
        raise CheckFailed(
            f"{call} returned {type(value).__module__}.{type(value).__qualname__}, not a "
            "PredictionsResponse; `mlflow deployments predict --endpoint` calls .to_json() on it"
        )
    if "predictions" not in value:
        raise CheckFailed(f"{call} returned a PredictionsResponse without a 'predictions' key")


@check("endpoint.explain.returns-json-able")
def explain_returns_json_able(context: Context) -> None:
    from conformance.api.errors import MlflowException
    from conformance.api.predictions import to_jsonable_bytes

    if context.declared("explain") is False:
        raise CapabilityAbsent("explain", "declared absent")
    steps = endpoint_life(context)
    _route_outcome(steps)
    call = f"explain(None, inputs, endpoint={steps['routed endpoint']!r})"
    explained = _step(steps, "explain route")
    if not explained.ok:
        raise CheckFailed(f"predict routes by endpoint, but {explained.error}")
    try:
        to_jsonable_bytes(explained.value)
    except MlflowException as error:
        raise CheckFailed(
            f"{call} returned {type(explained.value).__name__}: {error.message}"
        ) from None
