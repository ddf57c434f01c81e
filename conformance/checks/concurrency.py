"""Concurrency: of simultaneous creates of one name, exactly one wins."""

from __future__ import annotations

from conformance.checks import check
from conformance.checks._support import CREATE_CHECK, expect_named_dict
from conformance.context import Context
from conformance.verdicts import CheckFailed, describe, error_kind

RACERS = 4


@check("concurrency.create-one-winner")
def create_one_winner(context: Context) -> None:
    name = context.namer.fresh("race")
    outcomes = context.client.create_concurrently(
        name, context.models().primary, RACERS, context.create_config
    )
    winners = [o for o in outcomes if o.ok]
    if len(winners) != 1:
        errors = "; ".join(sorted({describe(o.error) for o in outcomes if o.error}))
        raise CheckFailed(
            f"{len(winners)} of {RACERS} concurrent creates of {name!r} succeeded; exactly one "
            f"must{f' (errors: {errors})' if errors else ''}"
        )
    expect_named_dict(winners[0].value, name, "the winning create_deployment", CREATE_CHECK)
    odd = [o.error for o in outcomes if o.error and error_kind(o.error) == "other"]
    if odd:
        raise CheckFailed(f"the losing creates raised {describe(odd[0])}; expected MlflowException")
