"""Optional methods: explain and predict_stream, judged when the plugin implements them."""

from __future__ import annotations

from conformance._checks import check
from conformance._checks._support import shared_deployment
from conformance._context import Context
from conformance._verdicts import CheckFailed


@check("explain.returns-json-able")
def explain_returns_json_able(context: Context) -> None:
    from conformance.api._errors import MlflowException
    from conformance.api._predictions import to_jsonable_bytes

    shared = shared_deployment(context)
    explanation = shared.client.explain(shared.name, context.sample_input())
    try:
        to_jsonable_bytes(explanation)
    except MlflowException as error:
        raise CheckFailed(
            f"explain returned {type(explanation).__name__}: {error.message}"
        ) from None


@check("stream.yields-dicts")
def stream_yields_dicts(context: Context) -> None:
    shared = shared_deployment(context)
    chunks = shared.client.predict_stream(shared.name, context.sample_input())
    if not chunks:
        raise CheckFailed("predict_stream yielded nothing for the sample input")
    odd = [chunk for chunk in chunks if not isinstance(chunk, dict)]
    if odd:
        raise CheckFailed(
            f"predict_stream yielded {type(odd[0]).__name__} {odd[0]!r:.80}, not dicts"
        )
