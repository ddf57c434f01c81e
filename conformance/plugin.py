"""The pytest entry point: declares the options and turns the kit on when a target is given.

Every pytest run of every project that installs this package imports this module, so it stays
cheap: the kit's machinery (and pandas, numpy, hypothesis, jsonschema, MLflow) is imported only
once ``--deployment-target`` or ``--conformance-profile`` is on the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance._options import GROUP, OPTIONS, PYPROJECT_SECTION

if TYPE_CHECKING:
    import pytest

__all__ = [
    "SESSION_PLUGIN_NAME",
    "pytest_addhooks",
    "pytest_addoption",
    "pytest_configure",
    "pytest_report_header",
]

SESSION_PLUGIN_NAME = "deployment-conformance-session"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "MLflow deployment-target conformance")
    for option in OPTIONS:
        group.addoption(option.flag, **option.argparse_kwargs())


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from conformance import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def _activated(config: pytest.Config) -> bool:
    # An empty --deployment-target= activates the kit too, so that it is told off, not ignored.
    option = config.option
    return (
        getattr(option, "conformance_target", None) is not None
        or getattr(option, "conformance_profile", None) is not None
    )


def pytest_configure(config: pytest.Config) -> None:
    if not _activated(config):
        return
    from conformance._session import ConformanceSession

    config.pluginmanager.register(ConformanceSession(config), SESSION_PLUGIN_NAME)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say how to certify when pyproject.toml names a target but the kit was not asked to run.

    The project's own tests keep running as they are: a target in pyproject.toml alone does not
    replace them with the certification.
    """
    if _activated(config):
        return None
    target = _pyproject_target(config)
    if target is None:
        return None
    return (
        f"deployment-conformance: pyproject.toml names target {target!r}; certify it with "
        f"`pytest --deployment-target={target}`"
    )


def _pyproject_target(config: pytest.Config) -> str | None:
    pyproject = config.rootpath / "pyproject.toml"
    try:
        text = pyproject.read_text()
    except OSError:
        return None
    if PYPROJECT_SECTION not in text:  # most projects: no TOML parsing at all
        return None
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        section = tomllib.loads(text).get("tool", {}).get(PYPROJECT_SECTION, {})
    except tomllib.TOMLDecodeError:
        return None
    target = section.get("target") if isinstance(section, dict) else None
    return target if isinstance(target, str) and target else None
