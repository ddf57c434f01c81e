"""Breaks names.dns-labels-round-trip: the plugin names every deployment '<name>-<version>' and
appends '-1' to a name that does not end in a number, so get_deployment(name) reports another
name. The kit's own names end in a number; the generated DNS labels often do not.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

VIOLATES = "names.dns-labels-round-trip"
# '../<prefix>-escape' ends in a letter too: it is accepted, then reported under another name.
# The generated sequences stop at the renamed deployment, so stateful.lifecycle cannot judge.
ALSO_FAILS = {"names.hostile", "stateful.lifecycle"}


def versioned(name: str) -> str:
    name = good.check_name(name)
    return name if name[-1].isdigit() else f"{name}-1"


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        return super().create_deployment(versioned(name), model_uri, flavor, config, endpoint)

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        return super().update_deployment(versioned(name), model_uri, flavor, config, endpoint)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        super().delete_deployment(versioned(name), config, endpoint)

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        return super().get_deployment(versioned(name), endpoint)

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> api.PredictionsResponse:
        return super().predict(versioned(str(deployment_name)), inputs, endpoint)
