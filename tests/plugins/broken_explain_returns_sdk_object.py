"""Breaks explain.returns-json-able: explain returns the SDK's explanation object as it is."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "explain.returns-json-able"
# explain routed by endpoint returns the same object.
ALSO_FAILS = {"endpoint.explain.returns-json-able"}


class Explanation:
    """What a vendor SDK hands back: an object, not JSON data."""

    def __init__(self, values: Any) -> None:
        self.values = values


class Client(good.Client):
    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        return Explanation(super().explain(deployment_name, df, endpoint))
