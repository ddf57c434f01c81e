"""Breaks explain.returns-json-able by hanging: explain waits for an explainer service that
never answers. The kit must report a timeout (run with --conformance-timeout=1) and go on.
"""

from __future__ import annotations

import threading
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "explain.returns-json-able"
# explain routed by endpoint hangs the same way.
ALSO_FAILS = {"endpoint.explain.returns-json-able"}
KIT_ARGS = ("--conformance-timeout=1",)

_NEVER = threading.Event()


class Client(good.Client):
    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        _NEVER.wait()  # the reply that never comes
        return super().explain(deployment_name, df, endpoint)
