"""A correct plugin whose client is bound to the thread that built it, as a client holding an
SQLite connection or a thread-local session is: any call from another thread is refused.

The kit builds each scenario's client on the thread that makes that scenario's calls, so every
check passes. Only the race of concurrent creates calls one client from several threads at
once, as the concurrency check means to: creates are left unbound here.
"""

from __future__ import annotations

import threading
from typing import Any

import good
from good import run_local, target_help  # noqa: F401

import conformance.api as api

THREADS_SEEN: set[int] = set()  # the threads clients were built on, for the test to read


def _bound(method: Any) -> Any:
    def call(self: Client, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() != self.thread:
            raise api.MlflowException(
                f"this client was built on thread {self.thread} and cannot be used from "
                f"thread {threading.get_ident()}",
                api.INTERNAL_ERROR,
            )
        return method(self, *args, **kwargs)

    return call


class Client(good.Client):
    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)
        self.thread = threading.get_ident()
        THREADS_SEEN.add(self.thread)

    update_deployment = _bound(good.Client.update_deployment)
    delete_deployment = _bound(good.Client.delete_deployment)
    list_deployments = _bound(good.Client.list_deployments)
    get_deployment = _bound(good.Client.get_deployment)
    predict = _bound(good.Client.predict)
    explain = _bound(good.Client.explain)
    create_endpoint = _bound(good.Client.create_endpoint)
    update_endpoint = _bound(good.Client.update_endpoint)
    delete_endpoint = _bound(good.Client.delete_endpoint)
    get_endpoint = _bound(good.Client.get_endpoint)
    list_endpoints = _bound(good.Client.list_endpoints)
