"""Hooks a plugin author's ``conftest.py`` can implement to shape a conformance run.

Each hook is optional. Return None to leave a setting to the command line and the profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import pytest

    from conformance.report import Report

__all__ = [
    "pytest_conformance_capabilities",
    "pytest_conformance_models",
    "pytest_conformance_profile",
    "pytest_conformance_report",
    "pytest_conformance_sample_input",
]

hookspec = pluggy.HookspecMarker("pytest")


@hookspec(firstresult=True)
def pytest_conformance_profile(config: pytest.Config) -> dict[str, Any] | None:
    """Supply profile settings in code; they override the profile file but not the command line."""


@hookspec(firstresult=True)
def pytest_conformance_models(config: pytest.Config, target_uri: str) -> list[str] | None:
    """Supply the model URIs to deploy (primary first, then the one to update to).

    Use it to build models on the fly, for example by saving a fresh model to a folder.
    ``--deployment-model-uri`` on the command line wins over this hook.
    """


@hookspec(firstresult=True)
def pytest_conformance_sample_input(config: pytest.Config, target_uri: str) -> Any | None:
    """Supply the sample input passed to predict (a DataFrame, or anything the target accepts).

    ``--deployment-input`` on the command line wins over this hook.
    """


@hookspec
def pytest_conformance_capabilities(
    config: pytest.Config, target_uri: str
) -> dict[str, bool] | None:
    """Declare capabilities as {name: present}; a declared one that turns out absent fails."""


@hookspec
def pytest_conformance_report(config: pytest.Config, report: Report) -> None:
    """Read or amend the report before it is written and summarised."""
