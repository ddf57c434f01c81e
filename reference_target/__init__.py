"""The ``memory`` deployment target: the plugin module MLflow loads for ``memory`` URIs.

MLflow's loader wants module-level ``run_local`` and ``target_help`` and exactly one client
class among this module's members, imported classes included. So nothing here imports the base
class by name; the modules below import ``conformance.api`` as a module.

Names follow one policy, kept in :mod:`reference_target.names`: any str of 1 to 256
characters without control characters, kept byte for byte and never used as a path.
"""

from reference_target.client import MemoryDeploymentClient
from reference_target.help import target_help
from reference_target.server import run_local

__all__ = ["MemoryDeploymentClient", "run_local", "target_help"]
