"""The pytest entry point: declares the options and turns the kit on when a target is given.

Every pytest run of every project that installs this package imports this module, so it stays
cheap: the kit's machinery (and pandas, numpy, hypothesis, jsonschema, MLflow) is imported only
once ``--deployment-target`` or ``--conformance-profile`` is on the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.options import GROUP, OPTIONS

if TYPE_CHECKING:
    import pytest

__all__ = ["SESSION_PLUGIN_NAME", "pytest_addhooks", "pytest_addoption", "pytest_configure"]

SESSION_PLUGIN_NAME = "deployment-conformance-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "MLflow deployment-target conformance")
    for option in OPTIONS:
        group.addoption(option.flag, **option.argparse_kwargs())


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from conformance import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if not (
        getattr(option, "conformance_target", None) or getattr(option, "conformance_profile", None)
    ):
        return
    from conformance.session import ConformanceSession

    config.pluginmanager.register(ConformanceSession(config), SESSION_PLUGIN_NAME)
