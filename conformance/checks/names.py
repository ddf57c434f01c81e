"""Names: hostile names are refused or kept exactly.

Generated DNS-1123 names are judged by the stateful sequences (:mod:`conformance.checks.stateful`),
which name their deployments with them.
"""

from __future__ import annotations

from typing import Any

from conformance.calling import Outcome
from conformance.checks import check
from conformance.checks._support import (
    CREATE_CHECK,
    GET_CHECK,
    expect_named_dict,
    listed_names,
    shared_deployment,
)
from conformance.context import Context
from conformance.verdicts import CheckFailed, PluginRaised, ShapeFailed, describe, error_kind


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


# With the shared deployment's checks: it must still work after the hostile names were tried.
@check("names.hostile", group="shared")
def hostile(context: Context) -> None:
    shared = shared_deployment(context)
    mine_before = _mine(context)
    problems = [
        problem
        for what, name in _hostile_names(context.namer.prefix).items()
        if (problem := _try_hostile(context, what, name))
    ]
    missing = mine_before - _mine(context)
    if missing:
        problems.append(f"deployments the kit did not touch disappeared: {sorted(missing)}")
    after = context.client.attempt("predict", shared.name, context.sample_input())
    if not after.ok:
        problems.append(f"the shared deployment broke: {after.error}")
    if problems:
        raise CheckFailed("; ".join(problems))


def _mine(context: Context) -> set[Any]:
    # Lenient on purpose: a malformed listing is deployment.list.returns-dicts' to report.
    names = context.client.names_listed("deployment")
    return {n for n in names if isinstance(n, str) and n.startswith(context.namer.prefix)}
