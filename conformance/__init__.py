"""A conformance kit for MLflow deployment-target plugins.

Run it with ``pytest --deployment-target=URI`` or, from a script, :func:`run`.

Every pytest run of every project that installs the kit imports this package (for its pytest
plugin), so the public names below are imported on first use rather than up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance._catalogue import CATALOGUE, Capability, Check, Level
    from conformance._runner import run
    from conformance.report import CheckResult, Report

__all__ = ["CATALOGUE", "Capability", "Check", "CheckResult", "Level", "Report", "run"]
__version__ = "0.1.0"

_HOMES = {
    "CATALOGUE": "conformance._catalogue",
    "Capability": "conformance._catalogue",
    "Check": "conformance._catalogue",
    "Level": "conformance._catalogue",
    "CheckResult": "conformance.report",
    "Report": "conformance.report",
    "run": "conformance._runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(__all__)
