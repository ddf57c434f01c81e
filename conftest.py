"""Settings shared by the project's own tests: hypothesis profiles and a network-free MLflow."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# MLflow 3 reports usage to an outside host unless told not to; no test may reach one.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")

_IN_CI = bool(os.environ.get("CI"))

settings.register_profile(
    "quick",
    max_examples=50,
    deadline=None,
    derandomize=_IN_CI,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    derandomize=_IN_CI,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
