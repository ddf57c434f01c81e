"""Breaks endpoint.explain.returns-json-able: explain drops endpoint=, so
`mlflow deployments explain --endpoint` fails on the missing deployment name while predict
routes by endpoint.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.explain.returns-json-able"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        return super().explain(deployment_name, df)
