"""Update and delete, judged on one deployment taken through its whole life.

The life is run once per process and recorded; each check then judges its own step. It begins
with several concurrent creates of its name, as when two CI jobs deploy at once: when exactly
one wins, its deployment is the one the rest of the life works on, so the race costs no
deployment of its own. Cost on a slow target: one create, three updates, three deletes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.calling import Outcome
from conformance.checks import check
from conformance.checks._support import (
    expect_error,
    listed_names,
    matches,
    predictions_of,
    shared_outcome,
    start_shared,
)
from conformance.context import Context
from conformance.recording import summarise
from conformance.verdicts import CheckFailed, PreconditionFailed

RACERS = 4


@dataclass
class Life:
    """What each step of the deployment's life did."""

    name: str
    never_created: str
    race_name: str = ""
    race: list[Outcome] = field(default_factory=list)
    created: Outcome | None = None  # the create the life goes on from
    steps: dict[str, Outcome] = field(default_factory=dict)

    def step(self, label: str) -> Outcome:
        if self.created is not None and not self.created.ok:
            raise PreconditionFailed(
                f"the lifecycle deployment could not be created: {self.created.error}"
            )
        if label not in self.steps:
            raise PreconditionFailed(f"the lifecycle stopped before '{label}'")
        return self.steps[label]

    def value(self, label: str) -> Any:
        outcome = self.step(label)
        if not outcome.ok:
            raise PreconditionFailed(f"'{label}' failed: {outcome.error}")
        return outcome.value


def _live(context: Context) -> Life:
    client, models = context.client, context.models()
    # The shared deployment is only needed at the end; under xdist this process may not have
    # it yet, and creating it while the race runs saves a slow target one create's wait.
    start_shared(context)
    race_name = context.namer.fresh("lifecycle")
    life = Life(race_name, context.namer.fresh("never-created"), race_name)
    flavor, config = context.profile.flavor, context.create_config
    life.race = client.create_concurrently(race_name, models.primary, RACERS, flavor, config)
    winners = [outcome for outcome in life.race if outcome.ok]
    if len(winners) == 1:
        life.created = winners[0]
    else:
        # A race with no winner or several may have left the name broken (racing writers can
        # corrupt a record): go on from a plain create of a name no racer touched, so the
        # race's defect is reported by concurrency.create-one-winner alone.
        life.name = context.namer.fresh("lifecycle")
        life.created = client.attempt(
            "create_deployment", life.name, models.primary, flavor, config
        )
        if not life.created.ok:
            return life
    created = life.created
    if isinstance(created.value, dict) and isinstance(created.value.get("flavor"), str):
        flavor = flavor or created.value["flavor"]
    steps = life.steps
    steps["list after create"] = client.attempt("list_deployments")
    steps["predict before update"] = client.attempt("predict", life.name, context.sample_input())
    if models.secondary:
        steps["update model"] = client.attempt("update_deployment", life.name, models.secondary)
        steps["predict after update"] = client.attempt("predict", life.name, context.sample_input())
    steps["update config"] = client.attempt(
        "update_deployment", life.name, None, None, dict(context.profile.config)
    )
    steps["predict after config"] = client.attempt("predict", life.name, context.sample_input())
    steps["update flavor only"] = client.attempt(
        "update_deployment", life.name, None, flavor or "python_function"
    )
    steps["update missing"] = client.attempt(
        "update_deployment", life.never_created, models.primary
    )
    steps["delete"] = client.attempt("delete_deployment", life.name)
    steps["get after delete"] = client.attempt("get_deployment", life.name)
    steps["list after delete"] = client.attempt("list_deployments")
    steps["delete again"] = client.attempt("delete_deployment", life.name)
    steps["delete never created"] = client.attempt("delete_deployment", life.never_created)
    shared = shared_outcome(context)
    no_other = PreconditionFailed(f"there is no other deployment: {shared.created.error}")
    steps["predict other"] = (
        client.attempt("predict", shared.name, context.sample_input())
        if shared.created.ok
        else Outcome(error=no_other)
    )
    return life


def life(context: Context) -> Life:
    """The recorded lifecycle, run once per process."""
    return context.scenario("lifecycle", _live)


@check("deployment.list.reflects-changes")
def list_reflects_changes(context: Context) -> None:
    record = life(context)
    if record.name not in listed_names(record.value("list after create"), "list_deployments()"):
        raise CheckFailed(f"list_deployments() does not show {record.name!r} after create")
    if record.name in listed_names(record.value("list after delete"), "list_deployments()"):
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
    update = record.step("update model")
    if not update.ok:
        raise CheckFailed(f"update_deployment with a new model_uri failed: {update.error}")
    before = predictions_of(record.value("predict before update"), "predict")
    after = predictions_of(record.value("predict after update"), "predict")
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


@check("deployment.update.config-only-keeps-model")
def update_config_only(context: Context) -> None:
    record = life(context)
    update = record.step("update config")
    if not update.ok:
        raise CheckFailed(f"update_deployment with only a config failed: {update.error}")
    label = (
        "predict after update"
        if "predict after update" in record.steps
        else "predict before update"
    )
    before = predictions_of(record.value(label), "predict")
    after_outcome = record.step("predict after config")
    if not after_outcome.ok:
        raise CheckFailed(f"after a config-only update, predict fails: {after_outcome.error}")
    if not matches(predictions_of(after_outcome.value, "predict"), before):
        raise CheckFailed("a config-only update changed what the deployment predicts")


def flavor_only_error(context: Context) -> BaseException:
    """What an update with a flavor but no model raised; that it returned fails the caller."""
    return expect_error(
        context,
        life(context).step("update flavor only"),
        "update_deployment with a flavor but no model_uri must raise",
    )


@check("deployment.update.flavor-needs-model")
def update_flavor_needs_model(context: Context) -> None:
    flavor_only_error(context)


@check("deployment.update.missing-raises")
def update_missing_raises(context: Context) -> None:
    expect_error(
        context,
        life(context).step("update missing"),
        "updating a deployment that does not exist must raise",
    )


@check("deployment.update.returns-flavor")
def update_returns_flavor(context: Context) -> None:
    record = life(context)
    label = "update model" if "update model" in record.steps else "update config"
    returned = record.value(label)
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
    deleted = record.step("delete")
    if not deleted.ok:
        raise CheckFailed(f"delete_deployment failed: {deleted.error}")
    if record.step("get after delete").ok:
        raise CheckFailed(f"get_deployment({record.name!r}) still finds it after delete")
    if record.name in listed_names(record.value("list after delete"), "list_deployments()"):
        raise CheckFailed(f"list_deployments() still shows {record.name!r} after delete")


@check("deployment.delete.idempotent")
def delete_idempotent(context: Context) -> None:
    record = life(context)
    record.value("delete")
    for label in ("delete again", "delete never created"):
        outcome = record.step(label)
        if not outcome.ok:
            raise CheckFailed(
                f"{label.replace('never created', 'of a never-created name')} "
                f"raised: {outcome.error}"
            )


@check("deployment.delete.spares-others")
def delete_spares_others(context: Context) -> None:
    record = life(context)
    record.value("delete")
    other = record.step("predict other")
    if isinstance(other.error, PreconditionFailed):
        raise other.error
    if not other.ok:
        raise CheckFailed(
            f"after deleting {record.name!r}, another deployment fails: {other.error}"
        )
