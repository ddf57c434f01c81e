"""Which checks the installed MLflow can hold a plugin to.

Some clauses rely on a part of the API that MLflow added after the deployments API itself:
``predict_stream`` (2.12), the endpoint methods and their ``mlflow deployments *-endpoint``
commands (1.26). Under an MLflow that predates such a part, nothing in MLflow calls it, so the
clause is not applicable there. Clauses about the core API stay applicable under every MLflow the
kit runs with, and without MLflow at all the kit judges the plugin against the newest contract.
"""

from __future__ import annotations

from importlib import metadata

from packaging.version import Version

from conformance._catalogue import Capability, Check

__all__ = ["installed_mlflow_version", "unavailable_under_installed_mlflow"]

# The parts of the API that MLflow added after the deployments API, by the capability whose
# checks rely on them; each check's since_mlflow says which release brought its part.
_LATER_FEATURES: dict[Capability, str] = {
    Capability.STREAM: "BaseDeploymentClient.predict_stream",
    Capability.ENDPOINTS: "the endpoint methods and `mlflow deployments *-endpoint` commands",
    Capability.EXPLAIN: "`mlflow deployments explain`",
}
# MLflow ships either as mlflow or as mlflow-skinny; both install the same `mlflow` package.
_DISTRIBUTIONS = ("mlflow", "mlflow-skinny")


def installed_mlflow_version() -> str | None:
    """The installed MLflow's version, or None when neither distribution is installed."""
    for distribution in _DISTRIBUTIONS:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return None


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a version: '2.12.1' -> (2, 12, 1), '3.0.0rc1' -> (3, 0, 0)."""
    return Version(version).release


def unavailable_under_installed_mlflow(check: Check) -> str | None:
    """Why ``check`` is not applicable under the installed MLflow, or None if it applies.

    Without MLflow installed the answer is None: the plugin is judged by the newest contract.
    """
    feature = _LATER_FEATURES.get(check.capability)
    if feature is None:
        return None
    version = installed_mlflow_version()
    if version is None or _release(version) >= _release(check.since_mlflow):
        return None
    return (
        f"MLflow {version} has no {feature} (added in MLflow {check.since_mlflow}), so nothing "
        f"in it calls what {check.id} checks"
    )
