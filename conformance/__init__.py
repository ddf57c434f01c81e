"""A conformance kit for MLflow deployment-target plugins.

Run it with ``pytest --deployment-target=URI`` or, from a script, :func:`run`.
"""

from conformance.catalogue import CATALOGUE, Capability, Check, Level
from conformance.report import CheckResult, Report
from conformance.runner import run

__all__ = ["CATALOGUE", "Capability", "Check", "CheckResult", "Level", "Report", "run"]
__version__ = "0.1.0"
