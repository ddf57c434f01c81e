"""Raises a custom BaseException subclass and GeneratorExit from predict and get."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Abort(BaseException):
    """Not an Exception: an `except Exception` in a caller lets it through."""


class Client(good.Client):
    def predict(
        self,
        deployment_name: str | None = None,
        inputs: Any = None,
        endpoint: str | None = None,
    ) -> Any:
        raise Abort("the plugin gave up")

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        raise GeneratorExit
