"""Concurrency: of simultaneous creates of one name, exactly one wins.

The race is the first step of the lifecycle scenario (:mod:`conformance._checks.lifecycle`), so
judging it costs no deployment of its own.
"""

from __future__ import annotations

from conformance._checks import check
from conformance._checks._support import CREATE_CHECK, expect_named_dict
from conformance._checks.lifecycle import life
from conformance._context import Context
from conformance._verdicts import CheckFailed, describe, error_kind


@check("concurrency.create-one-winner")
def create_one_winner(context: Context) -> None:
    record = life(context)
    outcomes = record.race
    winners = [o for o in outcomes if o.ok]
    if len(winners) != 1:
        errors = "; ".join(sorted({describe(o.error) for o in outcomes if o.error}))
        raise CheckFailed(
            f"{len(winners)} of {len(outcomes)} concurrent creates of {record.race_name!r} "
            f"succeeded; exactly one must{f' (errors: {errors})' if errors else ''}"
        )
    expect_named_dict(
        winners[0].value, record.race_name, "the winning create_deployment", CREATE_CHECK
    )
    odd = [o.error for o in outcomes if o.error and error_kind(o.error) == "other"]
    if odd:
        raise CheckFailed(f"the losing creates raised {describe(odd[0])}; expected MlflowException")
