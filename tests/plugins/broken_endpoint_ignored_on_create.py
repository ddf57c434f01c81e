"""Breaks endpoint.lists-its-deployments: create_deployment accepts endpoint= and ignores it,
so the deployment is not listed under its endpoint.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

VIOLATES = "endpoint.lists-its-deployments"
# No deployment is under the endpoint, so what updates and deletes do to one cannot be judged.
ALSO_FAILS = {"endpoint.update.keeps-deployments", "endpoint.delete.no-dangling-deployments"}


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        return super().create_deployment(name, model_uri, flavor, config)
