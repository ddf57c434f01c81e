"""Checks that rely on a later MLflow feature are not applicable under an MLflow without it."""

from __future__ import annotations

import pytest

from conformance import _mlflow_features
from conformance._catalogue import CATALOGUE, Capability, by_id

STREAM = by_id("stream.yields-dicts")
ENDPOINT = by_id("endpoint.create.returns-name")
CORE = by_id("deployment.create.returns-name")


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch):
    """Pretend the given MLflow version (None: no MLflow) is the installed one."""

    def pretend(version: str | None) -> None:
        monkeypatch.setattr(_mlflow_features, "installed_mlflow_version", lambda: version)

    return pretend


@pytest.mark.parametrize(
    ("version", "stream", "endpoints"),
    [
        ("1.25.1", True, True),
        ("1.26.0", True, False),
        ("2.9.2", True, False),
        ("2.11.3", True, False),
        ("2.12.1", False, False),
        ("2.22.5", False, False),
        ("3.0.0rc1", False, False),
        ("3.17.2", False, False),
    ],
)
def test_later_features_are_unavailable_only_before_their_release(
    installed, version: str, stream: bool, endpoints: bool
) -> None:
    installed(version)
    stream_reason = _mlflow_features.unavailable_under_installed_mlflow(STREAM)
    endpoint_reason = _mlflow_features.unavailable_under_installed_mlflow(ENDPOINT)
    assert (stream_reason is not None) is stream
    assert (endpoint_reason is not None) is endpoints
    if stream_reason:
        assert f"MLflow {version} has no BaseDeploymentClient.predict_stream" in stream_reason
        assert "added in MLflow 2.12" in stream_reason
    if endpoint_reason:
        assert "mlflow deployments *-endpoint" in endpoint_reason
        assert "added in MLflow 1.26" in endpoint_reason


@pytest.mark.parametrize("version", ["1.9.0", "2.9.2", "3.17.2", None])
def test_core_checks_apply_under_every_mlflow(installed, version: str | None) -> None:
    installed(version)
    core = [c for c in CATALOGUE if c.capability in (Capability.CORE, Capability.MODULE)]
    assert core
    assert all(_mlflow_features.unavailable_under_installed_mlflow(c) is None for c in core)


def test_without_mlflow_every_check_applies(installed) -> None:
    installed(None)
    assert all(_mlflow_features.unavailable_under_installed_mlflow(c) is None for c in CATALOGUE)


def test_every_check_names_the_mlflow_release_of_its_clause() -> None:
    releases = {c.since_mlflow for c in CATALOGUE}
    assert all(_mlflow_features._release(r) >= (1, 9) for r in releases)
    assert STREAM.since_mlflow == "2.12"
    # Endpoints came in 1.26; a clause that also needs a later feature names the later release.
    endpoint_releases = {c.since_mlflow for c in CATALOGUE if c.capability is Capability.ENDPOINTS}
    assert all(_mlflow_features._release(r) >= (1, 26) for r in endpoint_releases)
    assert "1.26" in endpoint_releases


def test_the_installed_version_is_read_from_either_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def version(distribution: str) -> str:
        if distribution == "mlflow-skinny":
            return "2.22.5"
        raise _mlflow_features.metadata.PackageNotFoundError(distribution)

    monkeypatch.setattr(_mlflow_features.metadata, "version", version)
    assert _mlflow_features.installed_mlflow_version() == "2.22.5"
    monkeypatch.setattr(
        _mlflow_features.metadata,
        "version",
        lambda d: (_ for _ in ()).throw(_mlflow_features.metadata.PackageNotFoundError(d)),
    )
    assert _mlflow_features.installed_mlflow_version() is None
