"""Create: the returned dict, blocking until ready, conflicts, bad models and config=None."""

from __future__ import annotations

from conformance.calling import render_call
from conformance.checks import check
from conformance.checks._support import (
    expect_error,
    expect_named_dict,
    listed_names,
    matches,
    shared_deployment,
    shared_outcome,
)
from conformance.context import Context
from conformance.recording import summarise
from conformance.verdicts import CheckFailed, PreconditionFailed

_CREATE = "create_deployment(name, model_uri, flavor, config=…)"


@check("deployment.create.returns-name")
def returns_name(context: Context) -> None:
    shared = shared_outcome(context)
    if not shared.created.ok:
        raise CheckFailed(str(shared.created.error))
    expect_named_dict(shared.created.value, shared.name, _CREATE)


@check("deployment.create.returns-flavor")
def returns_flavor(context: Context) -> None:
    created = shared_deployment(context).created.value
    if not isinstance(created, dict) or "flavor" not in created:
        raise CheckFailed(
            "the dict create_deployment returned has no 'flavor' key; `mlflow deployments "
            "create` prints deployment['flavor'] and would crash with KeyError"
        )


@check("deployment.create.blocks-until-ready")
def blocks_until_ready(context: Context) -> None:
    shared = shared_deployment(context)
    first = shared.first_predict
    if first.ok:
        return
    later = context.client.attempt("predict", shared.name, context.sample_input())
    if not later.ok:
        raise PreconditionFailed(
            f"predict fails even long after create ({later.error}); see predict.returns-response"
        )
    raise CheckFailed(
        f"predict right after create_deployment returned failed ({first.error}), but works "
        "later: create returned before the deployment was ready"
    )


def _conflict(context: Context) -> dict[str, object]:
    shared = shared_deployment(context)
    models = context.models()
    other = models.secondary or models.primary
    before = context.client.attempt("predict", shared.name, context.sample_input())
    arguments = (shared.name, other, context.profile.flavor)
    attempt = context.client.attempt("create_deployment", *arguments, context.create_config)
    after = context.client.attempt("predict", shared.name, context.sample_input())
    call = render_call("create_deployment", arguments, {"config": context.create_config})
    return {"shared": shared, "before": before, "attempt": attempt, "after": after, "call": call}


def conflict_scenario(context: Context) -> dict[str, object]:
    """A second create of the shared deployment's name, and a predict afterwards."""
    return context.scenario("conflicting create", _conflict)


def conflict_error(context: Context) -> BaseException:
    """What the conflicting create raised; that it returned instead fails the caller."""
    scenario = conflict_scenario(context)
    clause = f"creating a name that is in use must raise: {scenario['call']}"
    return expect_error(context, scenario["attempt"], clause)


@check("deployment.create.conflict-raises")
def conflict_raises(context: Context) -> None:
    conflict_error(context)


@check("deployment.create.conflict-keeps-existing")
def conflict_keeps_existing(context: Context) -> None:
    scenario = conflict_scenario(context)
    before, after = scenario["before"], scenario["after"]
    if not before.ok:
        raise PreconditionFailed(
            f"predict failed before the conflicting create ({before.error}), so there is "
            "nothing to compare with; see predict.returns-response"
        )
    if not after.ok:
        raise CheckFailed(f"after the refused create, the existing deployment fails: {after.error}")
    if not matches(after.value, before.value):
        was, now = summarise(_predictions(before.value)), summarise(_predictions(after.value))
        raise CheckFailed(
            f"after the conflicting {scenario['call']}, the existing deployment predicts "
            f"differently than before: the conflict replaced it (before: {was}; after: {now})"
        )


def _predictions(response: object) -> object:
    """The predictions of a response, or the response itself when it holds none."""
    if isinstance(response, dict) and "predictions" in response:
        return response["predictions"]
    return response


def _bad_model(context: Context) -> dict[str, object]:
    name = context.namer.fresh("bad-model")
    attempt = context.client.attempt(
        "create_deployment", name, context.profile.bad_model_uri, None, context.create_config
    )
    got = context.client.attempt("get_deployment", name)
    listing = context.client.attempt("list_deployments")
    return {"name": name, "attempt": attempt, "get": got, "list": listing}


@check("deployment.create.bad-model-raises", group="bad-model")
def bad_model_raises(context: Context) -> None:
    scenario = context.scenario("bad model", _bad_model)
    uri = context.profile.bad_model_uri
    expect_error(context, scenario["attempt"], f"creating a deployment of {uri!r} must raise")


@check("deployment.create.bad-model-leaves-nothing", group="bad-model")
def bad_model_leaves_nothing(context: Context) -> None:
    scenario = context.scenario("bad model", _bad_model)
    name, listing = scenario["name"], scenario["list"]
    if scenario["get"].ok:
        raise CheckFailed(f"after a failed create, get_deployment({name!r}) still finds it")
    if listing.ok and name in listed_names(listing.value, "list_deployments()"):
        raise CheckFailed(f"after a failed create, list_deployments() still shows {name!r}")


@check("deployment.create.config-none", group="config-none")
def config_none(context: Context) -> None:
    name = context.namer.fresh("config-none")
    context.client.create_deployment(name, context.models().primary, context.profile.flavor, None)
