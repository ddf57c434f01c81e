"""Names: hostile names are refused or kept exactly.

Generated DNS-1123 names are judged by the stateful sequences (:mod:`conformance._checks.stateful`),
which name their deployments with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance import _catalogue as catalogue
from conformance._calling import Outcome
from conformance._checks import check
from conformance._checks._support import (
    CREATE_CHECK,
    GET_CHECK,
    SHARED,
    expect_named_dict,
    listed_names,
    shared_deployment,
)
from conformance._context import Context
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PluginRaised, ShapeFailed, describe, error_kind


def _hostile_names(prefix: str) -> dict[str, str]:
    return {
        "a path climbing out of its folder": f"../{prefix}-escape",
        "a 300-character name": f"{prefix}-" + "x" * 300,
        "control characters": f"{prefix}-ctl\n\t\x1b",
    }


def _try_hostile(context: Context, what: str, name: str) -> str | None:
    """None when the plugin refused or kept ``name`` exactly; else what went wrong."""
    client = context.client
    outcome: Outcome = client.attempt(
        "create_deployment",
        name,
        context.models().primary,
        context.profile.flavor,
        context.create_config,
    )
    if not outcome.ok:
        # A refused create may still have left something: tidied here, in this scenario's own
        # chain, rather than by the run's cleanup after every other scenario.
        client.attempt("delete_deployment", name)
        error = outcome.error
        if isinstance(error, PluginRaised) and error_kind(error.error) == "other":
            return f"{what} was refused with {describe(error.error)}, not MlflowException"
        return None if isinstance(error, PluginRaised) else f"{what}: {error}"
    try:
        expect_named_dict(outcome.value, name, f"create_deployment({what})", CREATE_CHECK)
        expect_named_dict(client.get_deployment(name), name, f"get_deployment({what})", GET_CHECK)
        if name not in listed_names(client.list_deployments(), "list_deployments()"):
            return f"{what} was accepted but list_deployments() does not show it exactly"
    except ShapeFailed:
        raise  # another check's defect: this one cannot judge
    except CheckFailed as failure:
        return f"{what} was accepted but not kept exactly: {failure}"
    finally:
        client.attempt("delete_deployment", name)
    return None


@dataclass(frozen=True)
class Hostile:
    """What went wrong with the hostile names; empty when each was refused or kept exactly."""

    problems: tuple[str, ...]


def _hostile(context: Context) -> Hostile:
    shared = shared_deployment(context)
    problems = [
        problem
        for what, name in _hostile_names(context.namer.prefix).items()
        if (problem := _try_hostile(context, what, name))
    ]
    # The shared deployment, which is held for this scenario while other scenarios create and
    # delete their own, must still be listed and work after the hostile names were tried
    # (through the client that made it: it is that client's). Lenient on the listing's shape:
    # a malformed listing is deployment.list.returns-dicts' to report.
    if shared.name not in shared.client.names_listed("deployment"):
        problems.append(f"the deployment {shared.name!r}, which the kit did not touch, disappeared")
    after = shared.client.attempt("predict", shared.name, context.sample_input())
    if not after.ok:
        problems.append(f"the shared deployment broke: {after.error}")
    return Hostile(tuple(problems))


# A hostile name accepted waits for its create and its delete; a refused one for its tidying
# delete.
HOSTILE = scenario(catalogue.HOSTILE, depends_on=[SHARED], creates=1, waits=3)(_hostile)


@check("names.hostile")
def hostile(context: Context) -> None:
    problems = HOSTILE.result(context).problems
    if problems:
        raise CheckFailed("; ".join(problems))
