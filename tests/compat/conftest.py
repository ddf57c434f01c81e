"""Declares the ``compat`` marker for the runs against published plugins.

The marker lets ``-m compat`` pick these slow tests (or ``-m "not compat"`` leave them out)
until the marker is declared in pyproject.toml.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "compat: runs the kit against a published plugin in its own venv (slow)"
    )
