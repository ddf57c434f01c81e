"""Foreign resources: what was on the target before the run is still there, as it was.

These checks come last in the catalogue, and their scenario is declared ``last``: it starts once
every other scenario of its process has finished, and under xdist its group is handed out last.
Under xdist they judge on one worker while others may still work; the end of the run compares
once more, after cleanup (``Context.finish``).
"""

from __future__ import annotations

from conformance import _catalogue as catalogue
from conformance._checks import check
from conformance._checks._support import LIST_CHECK
from conformance._context import Context
from conformance._foreign import Comparison, compare, named
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PreconditionFailed


def _exercise(context: Context) -> None:
    """Create, update and delete one deployment, so that a check selected alone (``-k``) has
    writes to judge; failures here are other checks' to report."""
    client, models = context.client, context.models()
    name = context.namer.fresh("foreign-probe")
    create = client.attempt(
        "create_deployment", name, models.primary, context.profile.flavor, context.create_config
    )
    if create.ok and models.secondary:
        client.attempt("update_deployment", name, models.secondary)
    client.attempt("delete_deployment", name)


def _compare(context: Context) -> Comparison:
    snapshot = context.foreign_snapshot
    if snapshot is None:
        raise PreconditionFailed("no snapshot of the target was taken before the run")
    if context.deployments_created() == 0:
        _exercise(context)
    return compare(snapshot, context.client)


FOREIGN = scenario(catalogue.FOREIGN, last=True)(_compare)


def comparison(context: Context) -> Comparison:
    """The foreign resources now, compared once per process with the snapshot."""
    found = FOREIGN.result(context)
    if "deployment" in found.unreadable:
        raise PreconditionFailed(
            f"the deployments could not be listed ({found.unreadable['deployment']}); see "
            f"{LIST_CHECK}"
        )
    return found


@check("resources.foreign-kept")
def foreign_kept(context: Context) -> None:
    found = comparison(context)
    if "endpoint" in found.unreadable:
        context.warn(f"endpoints were not compared: {found.unreadable['endpoint']}")
    if found.vanished:
        raise CheckFailed(
            f"{len(found.vanished)} resource(s) that existed before the run, and that the kit "
            f"never touched, are gone: {named(found.vanished)}"
        )


@check("resources.foreign-unchanged")
def foreign_unchanged(context: Context) -> None:
    found = comparison(context)
    if found.changed:
        raise CheckFailed(
            f"{len(found.changed)} resource(s) that existed before the run changed though the "
            f"kit never touched them: {named(found.changed)}"
        )
