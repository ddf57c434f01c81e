"""Loads ``docs/blocks.py`` and ``docs/generate.py`` once, as the modules ``docs_blocks`` and
``docs_generate``, so the tests here import them by those names (``docs/`` is no package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _load(name: str, path: Path) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)


_load("docs_blocks", DOCS / "blocks.py")  # the name docs/generate.py loads it under too
_load("docs_generate", DOCS / "generate.py")
