"""Breaks stream.yields-dicts: predict_stream passes on the server's JSON lines as bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "stream.yields-dicts"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def predict_stream(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Iterator[Any]:
        chunks = super().predict_stream(deployment_name, inputs, endpoint)
        return (json.dumps(chunk).encode() + b"\n" for chunk in chunks)
