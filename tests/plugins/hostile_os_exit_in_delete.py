"""Calls os._exit(0) from delete_deployment: no exception, no cleanup, no exit code."""

from __future__ import annotations

import os
from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        os._exit(0)
