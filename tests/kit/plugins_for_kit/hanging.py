"""A plugin whose explain hangs for a minute: the kit's timeout must end the call."""

import time
from typing import Any

from plugins_for_kit import _recording as rec

HANG_SECONDS = 60


class HangingClient(rec.EndpointMethods, rec.OptionalMethods, rec.RecordingCore):
    """explain never returns in time; everything else works."""

    def explain(
        self, deployment_name: str | None = None, df: Any = None, endpoint: str | None = None
    ) -> Any:
        time.sleep(HANG_SECONDS)
        return {}


run_local = rec.run_local
target_help = rec.target_help
