"""A correct plugin with strict name rules: deployment and endpoint names must be DNS-1123
labels, as on Kubernetes; anything else is refused with INVALID_PARAMETER_VALUE.
"""

from __future__ import annotations

import re
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def dns_label(name: object, kind: str) -> str:
    if not isinstance(name, str) or not _DNS_LABEL.fullmatch(name):
        raise good.invalid(
            f"A {kind} name must be a DNS-1123 label (lowercase letters, digits and '-', at "
            f"most 63 characters); got {name!r}."
        )
    return name


class Client(good.Client):
    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        name = dns_label(name, "deployment")
        return super().create_deployment(name, model_uri, flavor, config, endpoint)

    def create_endpoint(self, name: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
        return super().create_endpoint(dns_label(name, "endpoint"), config)
