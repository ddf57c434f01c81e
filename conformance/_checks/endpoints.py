"""Endpoints: names, conflicts, updates, deletes, the deployments under an endpoint, and
predictions routed by endpoint; judged on one endpoint taken through its life.

With an existing endpoint in the profile (``existing_endpoint``), the reads and the predictions
routed by endpoint are judged on it, so a client that cannot create endpoints (MLflow's gateway
client, say) still has them judged. The kit never creates, updates or deletes that endpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from conformance import _catalogue as catalogue
from conformance._calling import Outcome
from conformance._checks import check
from conformance._checks._support import (
    expect_code,
    expect_error,
    expect_named_dict,
    listed_names,
    still_there,
)
from conformance._context import Context
from conformance._scenarios import scenario
from conformance._verdicts import (
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
# Checks that own a defect others meet on the way, which those others point to.
_GET_RETURNS_NAME = catalogue.known_id("endpoint.get.returns-name")
_LIST_RETURNS_DICTS = catalogue.known_id("endpoint.list.returns-dicts")
_LISTS_ITS_DEPLOYMENTS = catalogue.known_id("endpoint.lists-its-deployments")
_UPDATE_RETURNS = catalogue.known_id("endpoint.update.returns")


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


@dataclass(frozen=True)
class EndpointReads:
    """get_endpoint and list_endpoints on one endpoint, and get_endpoint of a missing name."""

    endpoint: str  # the profile's existing endpoint, else the kit's own
    get: Outcome
    listing: Outcome
    get_missing: Outcome


@dataclass(frozen=True)
class Routed:
    """predict(None, sample, endpoint=…), and explain the same way when predict answered."""

    endpoint: str
    predict: Outcome
    explain: Outcome | None  # None: predict did not answer, or explain is declared absent


@dataclass(frozen=True)
class EndpointUpdates:
    """update_endpoint of the endpoint, of a missing name and with a bad config, each followed
    by get_endpoint of the name it updated."""

    update: Outcome
    get_after_update: Outcome
    update_missing: Outcome
    get_missing_after_update: Outcome
    update_bad_config: Outcome
    get_after_bad_config: Outcome


@dataclass(frozen=True)
class HoldingDelete:
    """delete_endpoint while a deployment is under it; then what still names the endpoint."""

    delete: Outcome
    list_under: Outcome
    # After a delete that returned: does anything still place the deployment under it?
    list_all: Outcome | None = None
    get_deployment: Outcome | None = None
    # After a refused delete: is the endpoint still there?
    get_endpoint: Outcome | None = None


G = TypeVar("G")


def _ran(outcome: G | None, created: Outcome, what: str) -> G:
    """``outcome`` (a step, or a group of steps) when it ran; otherwise, or when the plugin
    lacks what the step needs, why the check cannot judge it."""
    if outcome is None:
        if isinstance(created.error, CapabilityAbsent):
            raise created.error  # no endpoint to judge anything on
        if not created.ok:
            raise PreconditionFailed(
                f"create_endpoint failed, so {what} never ran: {created.error}"
            )
        raise PreconditionFailed(f"{what} never ran")
    if isinstance(outcome, Outcome) and isinstance(outcome.error, CapabilityAbsent):
        raise outcome.error
    return outcome


@dataclass(frozen=True)
class EndpointLife:
    """What each step of the endpoint's life did; a step or group that never ran is None.

    With an existing endpoint in the profile, ``reads`` and ``routed`` are judged on it, and
    ``existing_members`` lists the deployments under it.
    """

    endpoint: str
    create: Outcome
    reads: EndpointReads | None = None
    routed: Routed | None = None
    existing_members: Outcome | None = None
    create_again: Outcome | None = None
    deployment: str = ""  # the deployment created under the endpoint
    create_deployment: Outcome | None = None
    list_deployments: Outcome | None = None
    updates: EndpointUpdates | None = None
    list_deployments_after_update: Outcome | None = None
    holding_delete: HoldingDelete | None = None

    def ran(self, step: G | None, what: str) -> G:
        """``step`` when it ran; otherwise why the check cannot judge ``what``."""
        member = self.create_deployment
        if step is None and self.create.ok and member is not None and not member.ok:
            raise _deployment_missing(member)
        return _ran(step, self.create, what)


def _route(context: Context, endpoint: str) -> Routed:
    predict = _routed(context, "predict", endpoint)
    explain = (
        _routed(context, "explain", endpoint)
        if predict.ok and context.declared("explain") is not False
        else None
    )
    return Routed(endpoint, predict, explain)


def _reads(context: Context, endpoint: str) -> EndpointReads:
    return EndpointReads(
        endpoint,
        get=_attempt(context, "get_endpoint", endpoint),
        listing=_attempt(context, "list_endpoints"),
        get_missing=_attempt(context, "get_endpoint", context.namer.fresh("never-created")),
    )


def _update(context: Context, endpoint: str) -> EndpointUpdates:
    # An empty dict is what `mlflow deployments update-endpoint` sends without --config.
    update = _attempt(context, "update_endpoint", endpoint, {})
    get_after_update = _attempt(context, "get_endpoint", endpoint)
    missing = context.namer.fresh("never-created")
    update_missing = _attempt(context, "update_endpoint", missing, {})
    get_missing_after_update = _attempt(context, "get_endpoint", missing)
    update_bad_config = _attempt(context, "update_endpoint", endpoint, BAD_CONFIG)
    return EndpointUpdates(
        update,
        get_after_update,
        update_missing,
        get_missing_after_update,
        update_bad_config,
        get_after_bad_config=_attempt(context, "get_endpoint", endpoint),
    )


def _delete_holding(context: Context, endpoint: str, deployment: str) -> HoldingDelete:
    """delete_endpoint while ``deployment`` is under it; then what still names it."""
    delete = _attempt(context, "delete_endpoint", endpoint)
    if delete.ok:
        held = HoldingDelete(
            delete,
            list_under=_attempt(context, "list_deployments", endpoint),
            list_all=_attempt(context, "list_deployments"),
            get_deployment=_attempt(context, "get_deployment", deployment),
        )
        _attempt(context, "delete_deployment", deployment)  # judged nowhere: only tidies up
        return held
    held = HoldingDelete(
        delete,
        get_endpoint=_attempt(context, "get_endpoint", endpoint),
        list_under=_attempt(context, "list_deployments", endpoint),
    )
    _attempt(context, "delete_deployment", deployment, endpoint)  # judged nowhere either
    return held


def _endpoint_life(context: Context) -> EndpointLife:
    client = context.client
    existing = context.profile.existing_endpoint
    endpoint = context.namer.fresh("endpoint")
    created = _attempt(context, "create_endpoint", endpoint)
    reads = routed = existing_members = None
    if existing is not None:
        reads, routed = _reads(context, existing), _route(context, existing)
        if context.profile.existing_deployment is not None:
            existing_members = _attempt(context, "list_deployments", existing)
    if not created.ok:
        if existing is None and isinstance(created.error, CapabilityAbsent):
            raise created.error  # no endpoint to judge anything on: every check is absent
        return EndpointLife(endpoint, created, reads, routed, existing_members)
    if existing is None:
        reads = _reads(context, endpoint)
    create_again = client.attempt("create_endpoint", endpoint)
    deployment = context.namer.fresh("in-endpoint")
    create_deployment = _attempt(
        context,
        "create_deployment",
        deployment,
        context.models().primary,
        context.profile.flavor,
        context.create_config,
        endpoint,
    )
    listed = listed_after_update = holding_delete = None
    if create_deployment.ok:
        listed = _attempt(context, "list_deployments", endpoint)
        if existing is None:
            routed = _route(context, endpoint)
    updates = _update(context, endpoint)
    if create_deployment.ok:
        listed_after_update = _attempt(context, "list_deployments", endpoint)
        holding_delete = _delete_holding(context, endpoint, deployment)
    client.attempt("delete_endpoint", endpoint)  # judged on an endpoint of its own, below
    return EndpointLife(
        endpoint,
        created,
        reads,
        routed,
        existing_members,
        create_again,
        deployment,
        create_deployment,
        listed,
        updates,
        listed_after_update,
        holding_delete,
    )


# The endpoint's create, the deployment's create, the update, the deployment's delete and the
# endpoint's delete wait in sequence.
ENDPOINT = scenario(catalogue.ENDPOINT, creates=1, waits=5)(_endpoint_life)


def endpoint_life(context: Context) -> EndpointLife:
    return ENDPOINT.result(context)


@dataclass(frozen=True)
class EndpointDeleted:
    """An endpoint created, deleted, read and deleted again; the rest is None when the create
    failed."""

    endpoint: str
    create: Outcome
    delete: Outcome | None = None
    get_after_delete: Outcome | None = None
    delete_again: Outcome | None = None


def _endpoint_deleted(context: Context) -> EndpointDeleted:
    """An endpoint created, deleted, then deleted again: a chain of its own, so the endpoint
    life does not wait for the second delete."""
    client = context.client
    endpoint = context.namer.fresh("endpoint")
    created = _attempt(context, "create_endpoint", endpoint)
    if not created.ok:
        return EndpointDeleted(endpoint, created)
    return EndpointDeleted(
        endpoint,
        created,
        delete=client.attempt("delete_endpoint", endpoint),
        get_after_delete=client.attempt("get_endpoint", endpoint),
        delete_again=client.attempt("delete_endpoint", endpoint),
    )


ENDPOINT_DELETE = scenario(catalogue.ENDPOINT_DELETE, waits=3)(_endpoint_deleted)


def _member_deployment(life: EndpointLife) -> None:
    """The deployment made under the endpoint, which must have been listed under it."""
    created = life.ran(life.create_deployment, "create_deployment under the endpoint")
    if not created.ok:
        raise _deployment_missing(created)
    try:
        _expect_listed(life, life.list_deployments, "list deployments")
    except CheckFailed as failure:
        raise PreconditionFailed(
            f"the deployment was never listed under the endpoint ({failure}); see "
            f"{_LISTS_ITS_DEPLOYMENTS}"
        ) from None


def _deployment_missing(created: Outcome) -> BaseException:
    if isinstance(created.error, CapabilityAbsent):
        return created.error
    return PreconditionFailed(
        f"creating a deployment under the endpoint failed ({created.error}); see "
        f"{_LISTS_ITS_DEPLOYMENTS}"
    )


def _value(outcome: Outcome) -> Any:
    """The value of a call that must have worked; its error fails the check."""
    if not outcome.ok:
        raise CheckFailed(str(outcome.error))
    return outcome.value


# -- create, get, list, delete ----------------------------------------------------------------


@check("endpoint.create.returns-name")
def create_returns_name(context: Context) -> None:
    life = endpoint_life(context)
    expect_named_dict(
        _value(life.ran(life.create, "create_endpoint")), life.endpoint, "create_endpoint"
    )


@check("endpoint.create.conflict-raises")
def create_conflict_raises(context: Context) -> None:
    life = endpoint_life(context)
    expect_error(
        context,
        life.ran(life.create_again, "the second create_endpoint"),
        "creating an endpoint name that is in use must raise",
    )


@check(_GET_RETURNS_NAME)
def get_returns_name(context: Context) -> None:
    life = endpoint_life(context)
    reads = life.ran(life.reads, "get_endpoint")
    got = _value(life.ran(reads.get, "get_endpoint"))
    expect_named_dict(got, reads.endpoint, f"get_endpoint({reads.endpoint!r})")


@check("endpoint.get.missing-raises")
def get_missing_raises(context: Context) -> None:
    life = endpoint_life(context)
    reads = life.ran(life.reads, "get_endpoint of a missing name")
    expect_error(
        context,
        life.ran(reads.get_missing, "get_endpoint of a missing name"),
        "getting an endpoint that does not exist must raise",
    )


@check(_LIST_RETURNS_DICTS)
def list_returns_dicts(context: Context) -> None:
    life = endpoint_life(context)
    reads = life.ran(life.reads, "list_endpoints")
    listing = _value(life.ran(reads.listing, "list_endpoints"))
    names = listed_names(listing, "list_endpoints()", _LIST_RETURNS_DICTS)
    if reads.endpoint not in names:
        raise CheckFailed(f"list_endpoints() does not show the endpoint {reads.endpoint!r}")


@check("endpoint.dicts-json-able")
def dicts_json_able(context: Context) -> None:
    life = endpoint_life(context)
    reads = life.reads
    returned = {
        "create_endpoint": life.create,
        "get_endpoint": None if reads is None else reads.get,
        "list_endpoints": None if reads is None else reads.listing,
    }
    samples = {
        call: outcome.value
        for call, outcome in returned.items()
        if outcome is not None and outcome.ok
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
    deleted = ENDPOINT_DELETE.result(context)
    for what, step in (("delete", deleted.delete), ("delete again", deleted.delete_again)):
        outcome = _ran(step, deleted.create, f"delete_endpoint ({what})")
        if not outcome.ok:
            raise CheckFailed(f"delete_endpoint ({what}) raised: {outcome.error}")
    got = _ran(deleted.get_after_delete, deleted.create, "get_endpoint after delete")
    if got.ok:
        raise CheckFailed(still_there(f"get_endpoint({deleted.endpoint!r})", got, "after delete"))


@check(_LISTS_ITS_DEPLOYMENTS)
def lists_its_deployments(context: Context) -> None:
    life = endpoint_life(context)
    if life.existing_members is not None and not life.create.ok:
        _expect_existing_listed(context, life, life.existing_members)
        return
    created = life.ran(life.create_deployment, "create_deployment under the endpoint")
    if isinstance(created.error, CapabilityAbsent):
        raise created.error
    if not created.ok:
        raise CheckFailed(f"creating a deployment under the endpoint failed: {created.error}")
    _expect_listed(life, life.list_deployments, "listed after its create")


def _expect_listed(
    life: EndpointLife,
    step: Outcome | None,
    when: str,
    owner: str = _LISTS_ITS_DEPLOYMENTS,
) -> None:
    """``step`` (a list_deployments(endpoint=…) of the endpoint) shows its deployment."""
    listing = _value(life.ran(step, f"list_deployments(endpoint=…) {when}"))
    names = listed_names(listing, "list_deployments(endpoint=…)", owner)
    if life.deployment not in names:
        raise CheckFailed(
            f"list_deployments(endpoint={life.endpoint!r}) does not show "
            f"{life.deployment!r}, which was created under it ({when})"
        )


def _expect_existing_listed(context: Context, life: EndpointLife, members: Outcome) -> None:
    """The profile's existing deployment is listed under the profile's existing endpoint."""
    endpoint, deployment = context.profile.existing_endpoint, context.profile.existing_deployment
    listing = _value(life.ran(members, "list_deployments of the existing endpoint"))
    names = listed_names(listing, "list_deployments(endpoint=…)", _LISTS_ITS_DEPLOYMENTS)
    if deployment not in names:
        raise CheckFailed(
            f"list_deployments(endpoint={endpoint!r}) does not show {deployment!r}, which the "
            "profile names as a deployment under it"
        )


# -- update -----------------------------------------------------------------------------------


def _updates(life: EndpointLife) -> EndpointUpdates:
    return life.ran(life.updates, "update_endpoint")


@check(_UPDATE_RETURNS)
def update_returns(context: Context) -> None:
    life = endpoint_life(context)
    updates = _updates(life)
    updated = life.ran(updates.update, "update_endpoint")
    if not updated.ok:
        raise CheckFailed(f"updating an existing endpoint raised: {updated.error}")
    got = life.ran(updates.get_after_update, "get_endpoint after update_endpoint")
    if not got.ok:
        raise CheckFailed(f"after update_endpoint, {got.error}")
    expect_named_dict(
        got.value,
        life.endpoint,
        f"get_endpoint({life.endpoint!r}) after update_endpoint",
        _GET_RETURNS_NAME,
    )


def _missing_update_error(context: Context) -> BaseException:
    life = endpoint_life(context)
    updates = _updates(life)
    outcome = life.ran(updates.update_missing, "update_endpoint of a missing name")
    if outcome.ok and life.ran(updates.get_missing_after_update, "get_endpoint after it").ok:
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
    life = endpoint_life(context)
    updates = _updates(life)
    before = life.ran(updates.get_after_update, "get_endpoint after update_endpoint")
    after = life.ran(updates.get_after_bad_config, "get_endpoint after the bad config")
    expect_error(
        context,
        life.ran(updates.update_bad_config, "update_endpoint with a bad config"),
        f"update_endpoint with config={BAD_CONFIG!r} (not a dict) must raise",
    )
    if before.ok and after.ok and before.value != after.value:
        raise CheckFailed(
            f"the refused update_endpoint(config={BAD_CONFIG!r}) still changed the endpoint: "
            f"{before.value!r:.120} became {after.value!r:.120}"
        )


@check("endpoint.update.keeps-deployments")
def update_keeps_deployments(context: Context) -> None:
    life = endpoint_life(context)
    _member_deployment(life)
    if not life.ran(_updates(life).update, "update_endpoint").ok:
        raise PreconditionFailed(f"update_endpoint raised; see {_UPDATE_RETURNS}")
    _expect_listed(life, life.list_deployments_after_update, "after update_endpoint")


# -- delete with deployments under the endpoint -----------------------------------------------


@check("endpoint.delete.no-dangling-deployments")
def delete_no_dangling(context: Context) -> None:
    life = endpoint_life(context)
    _member_deployment(life)
    endpoint, deployment = life.endpoint, life.deployment
    held = life.ran(life.holding_delete, "delete_endpoint with a deployment under it")
    deleted = life.ran(held.delete, "delete_endpoint with a deployment under it")
    if not deleted.ok:
        expect_error(context, deleted, "a refused delete_endpoint must raise MlflowException")
        if not life.ran(held.get_endpoint, "get_endpoint after the refused delete").ok:
            raise CheckFailed(
                f"delete_endpoint({endpoint!r}) raised, yet the endpoint is gone: a refused "
                "delete must change nothing"
            )
        _expect_listed(life, held.list_under, "after the refused delete_endpoint")
        return
    dangling = []
    under = life.ran(held.list_under, "list_deployments(endpoint=…) after the delete")
    if under.ok and deployment in _names(under.value):
        dangling.append(f"list_deployments(endpoint={endpoint!r}) still shows {deployment!r}")
    everything = life.ran(held.list_all, "list_deployments() after the delete")
    if everything.ok and any(
        _names_endpoint(entry, deployment, endpoint) for entry in _entries(everything.value)
    ):
        dangling.append(f"list_deployments() shows {deployment!r} under {endpoint!r}")
    got = life.ran(held.get_deployment, "get_deployment after the delete")
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


def _routed_predict(life: EndpointLife) -> tuple[Routed, Outcome]:
    """predict(None, sample, endpoint=…); the target does not route when it raised."""
    routed = life.ran(life.routed, "predict(None, inputs, endpoint=…)")
    route = life.ran(routed.predict, "predict(None, inputs, endpoint=…)")
    if isinstance(route.error, PluginTimedOut):
        raise CheckFailed(str(route.error))
    if route.error is not None:
        error = route.error.error if isinstance(route.error, PluginRaised) else route.error
        raise CapabilityAbsent(
            ROUTING,
            f"predict(None, inputs, endpoint={routed.endpoint!r}) raised "
            f"{describe(error)}, so predictions are routed by deployment name only",
        )
    return routed, route


@check("endpoint.predict.returns-response")
def predict_returns_response(context: Context) -> None:
    from conformance._checks.predict import is_predictions_response

    routed, route = _routed_predict(endpoint_life(context))
    value = route.value
    call = f"predict(None, inputs, endpoint={routed.endpoint!r})"
    if not is_predictions_response(value):
        raise CheckFailed(
            f"{call} returned {type(value).__module__}.{type(value).__qualname__}, not a "
            "PredictionsResponse; `mlflow deployments predict --endpoint` calls .to_json() on it"
        )
    if "predictions" not in value:
        raise CheckFailed(f"{call} returned a PredictionsResponse without a 'predictions' key")


@check("endpoint.explain.returns-json-able")
def explain_returns_json_able(context: Context) -> None:
    from conformance.api._errors import MlflowException
    from conformance.api._predictions import to_jsonable_bytes

    if context.declared("explain") is False:
        raise CapabilityAbsent("explain", "declared absent")
    life = endpoint_life(context)
    routed, _ = _routed_predict(life)
    call = f"explain(None, inputs, endpoint={routed.endpoint!r})"
    explained = life.ran(routed.explain, call)
    if not explained.ok:
        raise CheckFailed(f"predict routes by endpoint, but {explained.error}")
    try:
        to_jsonable_bytes(explained.value)
    except MlflowException as error:
        raise CheckFailed(
            f"{call} returned {type(explained.value).__name__}: {error.message}"
        ) from None
