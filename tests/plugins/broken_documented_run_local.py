"""Breaks module.run-local-signature: run_local follows MLflow's documented signature, with a
leading ``target``, but MLflow calls run_local(name, model_uri, flavor, config).
"""

from __future__ import annotations

from typing import Any

import good
from good import target_help  # noqa: F401

VIOLATES = "module.run-local-signature"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    pass


def run_local(
    target: str,
    name: str,
    model_uri: str,
    flavor: str | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    good.run_local(name, model_uri, flavor, config)
