"""Holds the GIL in one long C call from create_deployment: no thread of the process runs, so
the kit's own timeout thread cannot fire. Only something outside the process can end it.
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
        sum(range(10**13))  # a single C loop that never releases the GIL
        return super().create_deployment(name, model_uri, flavor, config, endpoint)
