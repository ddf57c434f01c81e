"""create_deployment takes longer than the kit's timeout, and the deployment lands afterwards.

The kit times the call out; the deployment still appears on the target a little later. The
kit must delete it at cleanup, or list it as a leftover: never report "leftovers: none".
"""

from __future__ import annotations

import time
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

SLOW_NAME_PART = "shared"  # only the shared deployment's create is slow
DELAY_SECONDS = 3.0


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        if SLOW_NAME_PART in name:
            time.sleep(DELAY_SECONDS)
        return super().create_deployment(name, model_uri, flavor, config, endpoint)
