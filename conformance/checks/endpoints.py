"""Endpoints: names, conflicts, missing endpoints, idempotent deletes, and the deployments
listed under an endpoint; judged on one endpoint taken through its life.
"""

from __future__ import annotations

from typing import Any

from conformance.calling import Outcome
from conformance.checks import check
from conformance.checks._support import expect_error, expect_named_dict, listed_names
from conformance.context import Context
from conformance.verdicts import CapabilityAbsent, CheckFailed, PreconditionFailed


def _attempt(context: Context, method: str, *args: Any) -> Outcome:
    try:
        return context.client.attempt(method, *args)
    except CapabilityAbsent as absent:
        return Outcome(error=absent)


def _endpoint_life(context: Context) -> dict[str, Any]:
    client = context.client
    endpoint = context.namer.fresh("endpoint")
    steps: dict[str, Any] = {"endpoint": endpoint}
    steps["create"] = client.attempt("create_endpoint", endpoint)  # absent: skip everything
    if not steps["create"].ok:
        return steps
    steps["create again"] = client.attempt("create_endpoint", endpoint)
    steps["get"] = client.attempt("get_endpoint", endpoint)
    steps["get missing"] = client.attempt("get_endpoint", context.namer.fresh("never-created"))
    steps["list"] = client.attempt("list_endpoints")
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
        steps["delete deployment"] = _attempt(context, "delete_deployment", deployment, endpoint)
    steps["delete"] = client.attempt("delete_endpoint", endpoint)
    steps["get after delete"] = client.attempt("get_endpoint", endpoint)
    steps["delete again"] = client.attempt("delete_endpoint", endpoint)
    return steps


def endpoint_life(context: Context) -> dict[str, Any]:
    return context.scenario("endpoint lifecycle", _endpoint_life)


def _step(steps: dict[str, Any], label: str) -> Outcome:
    if label not in steps:
        raise PreconditionFailed(
            f"create_endpoint failed, so '{label}' never ran: {steps['create'].error}"
        )
    return steps[label]


@check("endpoint.create.returns-name")
def create_returns_name(context: Context) -> None:
    steps = endpoint_life(context)
    created = steps["create"]
    if not created.ok:
        raise CheckFailed(str(created.error))
    expect_named_dict(created.value, steps["endpoint"], "create_endpoint")


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
    got = _step(steps, "get")
    if not got.ok:
        raise CheckFailed(str(got.error))
    expect_named_dict(got.value, steps["endpoint"], "get_endpoint")


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
    listing = _step(steps, "list")
    if not listing.ok:
        raise CheckFailed(str(listing.error))
    names = listed_names(listing.value, "list_endpoints()", "endpoint.list.returns-dicts")
    if steps["endpoint"] not in names:
        raise CheckFailed(f"list_endpoints() does not show the endpoint {steps['endpoint']!r}")


@check("endpoint.delete.idempotent")
def delete_idempotent(context: Context) -> None:
    steps = endpoint_life(context)
    for label in ("delete", "delete again"):
        outcome = _step(steps, label)
        if not outcome.ok:
            raise CheckFailed(f"delete_endpoint ({label}) raised: {outcome.error}")
    if _step(steps, "get after delete").ok:
        raise CheckFailed(f"get_endpoint({steps['endpoint']!r}) still finds it after delete")


@check("endpoint.lists-its-deployments")
def lists_its_deployments(context: Context) -> None:
    steps = endpoint_life(context)
    created = _step(steps, "create deployment")
    if isinstance(created.error, CapabilityAbsent):
        raise created.error
    if not created.ok:
        raise CheckFailed(f"creating a deployment under the endpoint failed: {created.error}")
    listing = steps["list deployments"]
    if isinstance(listing.error, CapabilityAbsent):
        raise listing.error
    if not listing.ok:
        raise CheckFailed(str(listing.error))
    names = listed_names(
        listing.value, "list_deployments(endpoint=…)", "endpoint.lists-its-deployments"
    )
    if steps["deployment"] not in names:
        raise CheckFailed(
            f"list_deployments(endpoint={steps['endpoint']!r}) does not show "
            f"{steps['deployment']!r}, which was created under it"
        )
