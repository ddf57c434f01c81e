"""The generated docs pages must match the catalogue and the profile schema they come from."""

from __future__ import annotations

from pathlib import Path

import docs_generate

from conformance.catalogue import CATALOGUE
from conformance.options import OPTIONS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_pages_are_current() -> None:
    assert docs_generate.stale_pages() == [], "run `python docs/generate.py` and commit"


def test_contract_page_names_every_check_with_level_mlflow_release_and_clause() -> None:
    page = (DOCS / "contract.md").read_text()
    for check in CATALOGUE:
        assert f"### `{check.id}`" in page
        row = f"| `{check.id}` | {check.level} | {check.since_mlflow}+ | {check.clause} |"
        assert row in page


def test_configuration_page_lists_every_option() -> None:
    page = (DOCS / "configuration.md").read_text()
    for option in OPTIONS:
        assert f"`{option.flag}" in page
