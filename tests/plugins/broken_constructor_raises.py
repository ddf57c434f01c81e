"""Breaks module.loads: the client connects to its server in the constructor, which fails."""

from __future__ import annotations

import good
from good import run_local, target_help  # noqa: F401 - functions, so MLflow counts no class

VIOLATES = "module.loads"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    def __init__(self, target_uri: str) -> None:
        raise ConnectionRefusedError(f"cannot reach the serving API of {target_uri!r}")
