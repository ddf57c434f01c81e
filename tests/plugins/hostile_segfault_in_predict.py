"""Crashes the interpreter (a segmentation fault) from predict."""

from __future__ import annotations

import ctypes
from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def predict(
        self,
        deployment_name: str | None = None,
        inputs: Any = None,
        endpoint: str | None = None,
    ) -> Any:
        ctypes.string_at(0)  # reads address 0: SIGSEGV
