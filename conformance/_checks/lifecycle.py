"""Update and delete, judged on one deployment taken through its whole life.

The life is run once per process and recorded; each check then judges its own step. It begins
with several concurrent creates of its name, as when two CI jobs deploy at once: when exactly
one wins, its deployment is the one the rest of the life works on, so the race costs no
deployment of its own. Cost on a slow target: the race, one model update, two deletes, in
sequence. The config-only update is judged on the config-none deployment
(:mod:`conformance._checks.create`) and the names never created on their own scenario
(:mod:`conformance._checks.read`), so their waits run beside this chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance import _catalogue as catalogue
from conformance._calling import Outcome
from conformance._checks import check
from conformance._checks._support import (
    SHARED,
    expect_error,
    listed_names,
    matches,
    predictions_of,
    still_there,
)
from conformance._checks.create import config_only_update
from conformance._context import Context
from conformance._recording import summarise
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PreconditionFailed

RACERS = 4
_CONFIG_ONLY_CHECK = catalogue.known_id("deployment.update.config-only-keeps-model")


@dataclass(frozen=True)
class Life:
    """What each step of the deployment's life did; a step that never ran is None."""

    name: str
    race_name: str
    race: tuple[Outcome, ...]
    created: Outcome  # the create the life goes on from
    list_after_create: Outcome | None = None
    predict_before_update: Outcome | None = None
    update_model: Outcome | None = None
    predict_after_update: Outcome | None = None
    update_flavor_only: Outcome | None = None
    delete: Outcome | None = None
    get_after_delete: Outcome | None = None
    list_after_delete: Outcome | None = None
    predict_other: Outcome | None = None
    delete_again: Outcome | None = None

    def step(self, outcome: Outcome | None, what: str) -> Outcome:
        """The outcome of step ``what``; a life that stopped before it cannot be judged."""
        if not self.created.ok:
            raise PreconditionFailed(
                f"the lifecycle deployment could not be created: {self.created.error}"
            )
        if outcome is None:
            raise PreconditionFailed(f"the lifecycle stopped before {what}")
        return outcome

    def value(self, outcome: Outcome | None, what: str) -> Any:
        done = self.step(outcome, what)
        if not done.ok:
            raise PreconditionFailed(f"{what} failed: {done.error}")
        return done.value


def _live(context: Context) -> Life:
    client, models = context.client, context.models()
    race_name = context.namer.fresh("lifecycle")
    flavor, config = context.profile.flavor, context.create_config
    race = tuple(client.create_concurrently(race_name, models.primary, RACERS, flavor, config))
    winners = [outcome for outcome in race if outcome.ok]
    name = race_name
    if len(winners) == 1:
        created = winners[0]
    else:
        # A race with no winner or several may have left the name broken (racing writers can
        # corrupt a record): go on from a plain create of a name no racer touched, so the
        # race's defect is reported by concurrency.create-one-winner alone.
        name = context.namer.fresh("lifecycle")
        created = client.attempt("create_deployment", name, models.primary, flavor, config)
        if not created.ok:
            return Life(name, race_name, race, created)
    if isinstance(created.value, dict) and isinstance(created.value.get("flavor"), str):
        flavor = flavor or created.value["flavor"]
    listed = client.attempt("list_deployments")
    before = client.attempt("predict", name, context.sample_input())
    update_model = after_update = None
    if models.secondary:
        update_model = client.attempt("update_deployment", name, models.secondary)
        after_update = client.attempt("predict", name, context.sample_input())
    flavor_only = client.attempt("update_deployment", name, None, flavor or "python_function")
    delete = client.attempt("delete_deployment", name)
    got = client.attempt("get_deployment", name)
    listed_after = client.attempt("list_deployments")
    # Through the client that made the other deployment: it is that client's.
    shared = SHARED.result(context)
    other = (
        shared.client.attempt("predict", shared.name, context.sample_input())
        if shared.created.ok
        else Outcome(
            error=PreconditionFailed(f"there is no other deployment: {shared.created.error}")
        )
    )
    again = client.attempt("delete_deployment", name)
    return Life(
        name,
        race_name,
        race,
        created,
        listed,
        before,
        update_model,
        after_update,
        flavor_only,
        delete,
        got,
        listed_after,
        other,
        again,
    )


# The race, the model update, the delete and the second delete wait in sequence; the shared
# deployment it predicts on at the end is made meanwhile.
LIFECYCLE = scenario(catalogue.LIFECYCLE, depends_on=[SHARED], creates=1, waits=4)(_live)


def life(context: Context) -> Life:
    """The recorded lifecycle, run once per process."""
    return LIFECYCLE.result(context)


@check("deployment.list.reflects-changes")
def list_reflects_changes(context: Context) -> None:
    record = life(context)
    shown = record.value(record.list_after_create, "the listing after create")
    if record.name not in listed_names(shown, "list_deployments()"):
        raise CheckFailed(f"list_deployments() does not show {record.name!r} after create")
    gone = record.value(record.list_after_delete, "the listing after delete")
    if record.name in listed_names(gone, "list_deployments()"):
        raise CheckFailed(f"list_deployments() still shows {record.name!r} after delete")


@check("deployment.update.switches-model")
def update_switches_model(context: Context) -> None:
    models = context.models()
    if not models.secondary:
        raise PreconditionFailed(
            "only one model URI was given: pass --deployment-model-uri twice (the primary "
            "model, then the model to update to)"
        )
    record = life(context)
    update = record.step(record.update_model, "the model update")
    if not update.ok:
        raise CheckFailed(f"update_deployment with a new model_uri failed: {update.error}")
    before = predictions_of(record.value(record.predict_before_update, "predict"), "predict")
    after = predictions_of(record.value(record.predict_after_update, "predict"), "predict")
    expected = context.expected_predictions(models.secondary)
    if expected is not None:
        if not matches(after, expected):
            raise CheckFailed(
                f"after update_deployment returned, predict gave {summarise(after)}; the new "
                f"model predicts {summarise(expected)}"
            )
    elif matches(after, before):
        raise CheckFailed(
            "predictions did not change after update_deployment with a new model_uri (if your "
            "two models predict the same on the sample input, choose models that differ)"
        )


@check(_CONFIG_ONLY_CHECK)
def update_config_only(context: Context) -> None:
    record = config_only_update(context)
    assert record.update_config is not None and record.predict_before is not None
    if not record.update_config.ok:
        raise CheckFailed(
            f"update_deployment with only a config failed: {record.update_config.error}"
        )
    if not record.predict_before.ok:
        raise PreconditionFailed(
            f"predict failed before the update ({record.predict_before.error}), so there is "
            "nothing to compare with"
        )
    before = predictions_of(record.predict_before.value, "predict")
    after = record.predict_after
    assert after is not None
    if not after.ok:
        raise CheckFailed(f"after a config-only update, predict fails: {after.error}")
    if not matches(predictions_of(after.value, "predict"), before):
        raise CheckFailed("a config-only update changed what the deployment predicts")


def flavor_only_error(context: Context) -> BaseException:
    """What an update with a flavor but no model raised; that it returned fails the caller."""
    record = life(context)
    return expect_error(
        context,
        record.step(record.update_flavor_only, "the flavor-only update"),
        "update_deployment with a flavor but no model_uri must raise",
    )


@check("deployment.update.flavor-needs-model")
def update_flavor_needs_model(context: Context) -> None:
    flavor_only_error(context)


@check("deployment.update.returns-flavor")
def update_returns_flavor(context: Context) -> None:
    record = config_only_update(context)
    assert record.update_config is not None
    if not record.update_config.ok:
        raise PreconditionFailed(
            f"the config-only update failed ({record.update_config.error}); see "
            f"{_CONFIG_ONLY_CHECK}"
        )
    returned = record.update_config.value
    if returned is None:
        raise CheckFailed(
            "update_deployment returned None. MLflow's API page documents None, but "
            "`mlflow deployments update` reads ret['flavor'] and crashes on None: return the "
            "updated deployment's dict with 'flavor'"
        )
    if not isinstance(returned, dict):
        raise CheckFailed(
            f"update_deployment returned {type(returned).__name__}, not None or a dict"
        )
    if "flavor" not in returned:
        raise CheckFailed(
            "update_deployment returned a dict without 'flavor'; `mlflow deployments update` "
            "reads ret['flavor']"
        )


@check("deployment.delete.removes")
def delete_removes(context: Context) -> None:
    record = life(context)
    deleted = record.step(record.delete, "the delete")
    if not deleted.ok:
        raise CheckFailed(f"delete_deployment failed: {deleted.error}")
    got = record.step(record.get_after_delete, "get after delete")
    if got.ok:
        raise CheckFailed(still_there(f"get_deployment({record.name!r})", got, "after delete"))
    gone = record.value(record.list_after_delete, "the listing after delete")
    if record.name in listed_names(gone, "list_deployments()"):
        raise CheckFailed(f"list_deployments() still shows {record.name!r} after delete")


@check("deployment.delete.idempotent")
def delete_idempotent(context: Context) -> None:
    from conformance._checks.read import MISSING

    record = life(context)
    record.value(record.delete, "the delete")
    again = record.step(record.delete_again, "the second delete")
    if not again.ok:
        raise CheckFailed(f"delete again raised: {again.error}")
    never = MISSING.result(context).delete
    if not never.ok:
        raise CheckFailed(f"delete of a never-created name raised: {never.error}")


@check("deployment.delete.spares-others")
def delete_spares_others(context: Context) -> None:
    record = life(context)
    record.value(record.delete, "the delete")
    other = record.step(record.predict_other, "the predict on another deployment")
    if isinstance(other.error, PreconditionFailed):
        raise other.error
    if not other.ok:
        raise CheckFailed(
            f"after deleting {record.name!r}, another deployment fails: {other.error}"
        )
