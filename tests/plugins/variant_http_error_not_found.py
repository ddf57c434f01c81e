"""A plugin for a remote server that passes on the server's HTTP 404 as HTTPError when a
deployment does not exist, as newer base-class docstrings allow. Correct by every MUST, with a
warning; errors.does-not-exist-code (SHOULD) fails, since an HTTPError carries no error code.
"""

from __future__ import annotations

import urllib.error
from typing import Any

import good
from good import run_local, target_help  # noqa: F401


class Client(good.Client):
    def _record(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        record = self.store.deployments.get(name)
        if record is None or endpoint not in (None, record["endpoint"]):
            url = f"http://127.0.0.1/deployments/{name}"
            raise urllib.error.HTTPError(url, 404, "Not Found", None, None)  # type: ignore[arg-type]
        return record
