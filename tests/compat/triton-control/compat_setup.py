"""The environment of the kit's run against mlflow-triton-control, loaded with ``-p compat_setup``.

The client refuses every call without ``TRITON_CONTROL_TOKEN``; a dummy token makes a call
that does slip through fail on the closed loopback port instead, so the cause is plain.
"""

from __future__ import annotations

import os
from typing import Any


def pytest_configure(config: Any) -> None:
    os.environ.setdefault("TRITON_CONTROL_TOKEN", "dummy-token-no-service-here")
