"""A plugin whose update_deployment returns None, as MLflow's API page documents. Correct by
every MUST; deployment.update.returns-flavor (SHOULD) fails, because MLflow's CLI reads
ret['flavor'].
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().update_deployment(name, model_uri, flavor, config, endpoint)
