"""Raises KeyboardInterrupt from create_deployment, as if Ctrl-C had been pressed.

The kit must count it as the calling check's failure and go on: it is the plugin's exception,
not the user's Ctrl-C.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        raise KeyboardInterrupt
