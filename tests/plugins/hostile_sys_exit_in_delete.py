"""Ends the caller's program: delete_deployment calls sys.exit(0).

Not a catalogue violation of its own: the kit must count it as the failure of the check that
called, clean up, report, and never exit 0 because of it.
"""

from __future__ import annotations

import sys
from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        sys.exit(0)
