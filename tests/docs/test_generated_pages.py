"""The generated docs pages must match the catalogue and the profile schema they come from."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from conformance.catalogue import CATALOGUE
from conformance.options import OPTIONS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pages_are_current() -> None:
    assert _generator().stale_pages() == [], "run `python docs/generate.py` and commit"


def test_contract_page_names_every_check_with_level_and_clause() -> None:
    page = (DOCS / "contract.md").read_text()
    for check in CATALOGUE:
        assert f"### `{check.id}`" in page
        assert f"| `{check.id}` | {check.level} | {check.clause} |" in page


def test_configuration_page_lists_every_option() -> None:
    page = (DOCS / "configuration.md").read_text()
    for option in OPTIONS:
        assert f"`{option.flag}`" in page
