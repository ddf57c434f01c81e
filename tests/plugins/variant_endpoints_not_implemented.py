"""A correct plugin without endpoints that says so itself: each endpoint method raises
NotImplementedError.
"""

from __future__ import annotations

from typing import Any

import good
from good import run_local, target_help  # noqa: F401


def _unsupported(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("this target has no endpoints")


class Client(good.Client):
    create_endpoint = _unsupported
    update_endpoint = _unsupported
    delete_endpoint = _unsupported
    list_endpoints = _unsupported
    get_endpoint = _unsupported
