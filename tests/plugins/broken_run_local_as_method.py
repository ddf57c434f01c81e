"""Breaks module.has-run-local-and-target-help: run_local is a method of the client class,
not a function of the module.
"""

from __future__ import annotations

from typing import Any

import good
from good import target_help  # noqa: F401

VIOLATES = "module.has-run-local-and-target-help"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def run_local(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        good.run_local(name, model_uri, flavor, config)
