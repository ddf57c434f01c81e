"""Raises KeyboardInterrupt from delete_deployment: in checks, and again in the kit's cleanup."""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        raise KeyboardInterrupt
