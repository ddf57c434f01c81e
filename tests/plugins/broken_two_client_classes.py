"""Breaks module.one-client-class: the module imports good's client class by name, so MLflow
finds two client classes among its members and refuses to load it.
"""

from __future__ import annotations

from good import Client as GoodClient  # the violation: an imported class counts too
from good import run_local, target_help  # noqa: F401

VIOLATES = "module.one-client-class"
ALSO_FAILS: set[str] = set()


class Client(GoodClient):
    """Adds nothing: the import above is the whole violation."""
