"""Breaks module.target-help-returns-text: target_help prints its text and returns None."""

from __future__ import annotations

import good
from good import run_local  # noqa: F401

VIOLATES = "module.target-help-returns-text"
ALSO_FAILS: set[str] = set()


class Client(good.Client):
    pass


def target_help() -> None:
    print(good.target_help())
