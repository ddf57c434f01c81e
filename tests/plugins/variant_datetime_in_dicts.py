"""A plugin whose deployment dicts carry an extra field that is not JSON: the creation time as
a datetime. Correct by every MUST; deployment.dicts-json-able (SHOULD) fails.
"""

from __future__ import annotations

from datetime import datetime, timezone
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
        created = super().create_deployment(name, model_uri, flavor, config, endpoint)
        created["created_at"] = datetime.now(timezone.utc)
        with self.store.lock:  # get and list copy the record, so they report it too
            self.store.deployments[name]["created_at"] = created["created_at"]
        return created
