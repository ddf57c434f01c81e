"""Create: the returned dict, blocking until ready, conflicts, bad models and config=None."""

from __future__ import annotations

from dataclasses import dataclass

from conformance import _catalogue as catalogue
from conformance._calling import Outcome, render_call
from conformance._checks import check
from conformance._checks._support import (
    RESPONSE_CHECK,
    SHARED,
    SharedDeployment,
    expect_error,
    expect_named_dict,
    listed_names,
    matches,
    shared_deployment,
    shared_outcome,
    still_there,
)
from conformance._context import Context
from conformance._recording import summarise
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PreconditionFailed

_CREATE = "create_deployment(name, model_uri, flavor, config=…)"
_CONFIG_NONE_CHECK = catalogue.known_id("deployment.create.config-none")


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
    later = shared.client.attempt("predict", shared.name, context.sample_input())
    if not later.ok:
        raise PreconditionFailed(
            f"predict fails even long after create ({later.error}); see {RESPONSE_CHECK}"
        )
    raise CheckFailed(
        f"predict right after create_deployment returned failed ({first.error}), but works "
        "later: create returned before the deployment was ready"
    )


@dataclass(frozen=True)
class Conflict:
    """A second create of the shared deployment's name, between two predicts on it."""

    shared: SharedDeployment
    before: Outcome
    attempt: Outcome
    after: Outcome
    call: str  # the conflicting create, as the messages show it


def _conflict(context: Context) -> Conflict:
    shared = shared_deployment(context)
    models = context.models()
    other = models.secondary or models.primary
    # Through the client that made it: the deployment is that client's, whatever it shares.
    client = shared.client
    before = client.attempt("predict", shared.name, context.sample_input())
    arguments = (shared.name, other, context.profile.flavor)
    attempt = client.attempt("create_deployment", *arguments, context.create_config)
    after = client.attempt("predict", shared.name, context.sample_input())
    call = render_call("create_deployment", arguments, {"config": context.create_config})
    return Conflict(shared, before, attempt, after, call)


CONFLICT = scenario(catalogue.CONFLICT, depends_on=[SHARED])(_conflict)


def conflict_error(context: Context) -> BaseException:
    """What the conflicting create raised; that it returned instead fails the caller."""
    conflict = CONFLICT.result(context)
    clause = f"creating a name that is in use must raise: {conflict.call}"
    return expect_error(context, conflict.attempt, clause)


@check("deployment.create.conflict-raises")
def conflict_raises(context: Context) -> None:
    conflict_error(context)


@check("deployment.create.conflict-keeps-existing")
def conflict_keeps_existing(context: Context) -> None:
    conflict = CONFLICT.result(context)
    before, after = conflict.before, conflict.after
    if not before.ok:
        raise PreconditionFailed(
            f"predict failed before the conflicting create ({before.error}), so there is "
            f"nothing to compare with; see {RESPONSE_CHECK}"
        )
    if not after.ok:
        raise CheckFailed(f"after the refused create, the existing deployment fails: {after.error}")
    if not matches(after.value, before.value):
        was, now = summarise(_predictions(before.value)), summarise(_predictions(after.value))
        raise CheckFailed(
            f"after the conflicting {conflict.call}, the existing deployment predicts "
            f"differently than before: the conflict replaced it (before: {was}; after: {now})"
        )


def _predictions(response: object) -> object:
    """The predictions of a response, or the response itself when it holds none."""
    if isinstance(response, dict) and "predictions" in response:
        return response["predictions"]
    return response


@dataclass(frozen=True)
class BadModel:
    """A create of a model URI that cannot resolve, and what get and list said afterwards."""

    name: str
    attempt: Outcome
    got: Outcome
    listing: Outcome


def _bad_model(context: Context) -> BadModel:
    client = context.client
    name = context.namer.fresh("bad-model")
    attempt = client.attempt(
        "create_deployment", name, context.profile.bad_model_uri, None, context.create_config
    )
    bad = BadModel(
        name, attempt, client.attempt("get_deployment", name), client.attempt("list_deployments")
    )
    # Tidied here, in this scenario's own chain, rather than by the run's cleanup at its end.
    client.attempt("delete_deployment", name)
    return bad


# A conformant target refuses the create before it deploys anything; the tidying delete waits.
BAD_MODEL = scenario(catalogue.BAD_MODEL, waits=1)(_bad_model)


@check("deployment.create.bad-model-raises")
def bad_model_raises(context: Context) -> None:
    uri = context.profile.bad_model_uri
    attempt = BAD_MODEL.result(context).attempt
    expect_error(context, attempt, f"creating a deployment of {uri!r} must raise")


@check("deployment.create.bad-model-leaves-nothing")
def bad_model_leaves_nothing(context: Context) -> None:
    bad = BAD_MODEL.result(context)
    if bad.got.ok:
        raise CheckFailed(
            still_there(f"get_deployment({bad.name!r})", bad.got, "after a failed create")
        )
    if bad.listing.ok and bad.name in listed_names(bad.listing.value, "list_deployments()"):
        raise CheckFailed(f"after a failed create, list_deployments() still shows {bad.name!r}")


@dataclass(frozen=True)
class ConfigNone:
    """A deployment created with config=None, then given a config-only update, then deleted."""

    created: Outcome
    predict_before: Outcome | None = None
    update_config: Outcome | None = None
    predict_after: Outcome | None = None


def _config_none(context: Context) -> ConfigNone:
    client = context.client
    name = context.namer.fresh("config-none")
    primary, flavor = context.models().primary, context.profile.flavor
    created = client.attempt("create_deployment", name, primary, flavor, None)
    if not created.ok:
        # The config-only update is still judged, on a deployment created with the config.
        name = context.namer.fresh("config-none")
        retried = client.attempt("create_deployment", name, primary, flavor, context.create_config)
        if not retried.ok:
            return ConfigNone(created)
    before = client.attempt("predict", name, context.sample_input())
    update = client.attempt("update_deployment", name, None, None, dict(context.profile.config))
    after = client.attempt("predict", name, context.sample_input())
    client.attempt("delete_deployment", name)  # judged by the lifecycle's checks, not here
    return ConfigNone(created, before, update, after)


CONFIG_NONE = scenario(catalogue.CONFIG_NONE, creates=1, waits=3)(_config_none)


def config_only_update(context: Context) -> ConfigNone:
    """The config-none scenario, which must have got as far as its config-only update."""
    record = CONFIG_NONE.result(context)
    if record.update_config is None:
        raise PreconditionFailed(
            f"the deployment to update could not be created ({record.created.error}); see "
            f"{_CONFIG_NONE_CHECK}"
        )
    return record


@check(_CONFIG_NONE_CHECK)
def config_none(context: Context) -> None:
    created = CONFIG_NONE.result(context).created
    if not created.ok:
        raise CheckFailed(f"create_deployment with config=None failed: {created.error}")
