"""The generated docs pages must match the catalogue and the profile schema they come from."""

from __future__ import annotations

from pathlib import Path

import docs_generate

from conformance._catalogue import CATALOGUE
from conformance._options import OPTIONS

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


def _public() -> list[tuple[str, object]]:
    """Every public name of every public namespace, with every public member of its classes."""
    import importlib
    import inspect

    found: list[tuple[str, object]] = []
    for namespace in docs_generate.PUBLIC_NAMESPACES:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            thing = getattr(module, name)
            found.append((f"{namespace}.{name}", thing))
            if inspect.isclass(thing):
                found += [
                    (f"{namespace}.{name}.{member}", value)
                    for member, value in docs_generate._members(thing)
                ]
    return found


def test_every_public_name_and_method_says_what_it_is_for() -> None:
    import inspect

    undocumented = [
        name
        for name, thing in _public()
        if (callable(thing) or isinstance(thing, property)) and not inspect.getdoc(thing)
    ]
    assert undocumented == []


def test_api_page_shows_every_public_name() -> None:
    import importlib

    page = (DOCS / "api.md").read_text()
    sections = {
        namespace: page.split(f"## `{namespace}`\n", 1)[1].split("\n## ", 1)[0]
        for namespace in docs_generate.PUBLIC_NAMESPACES
    }
    for namespace, section in sections.items():
        for name in importlib.import_module(namespace).__all__:
            assert f"### `{name}" in section, f"{namespace}.{name}"
    # A class's methods and properties are listed where the class is documented.
    report = sections["conformance.report"]
    for member, _ in docs_generate._members(importlib.import_module("conformance.report").Report):
        assert f"- `.{member}" in report, member
    assert "- `.summary() -> dict[str, Any]`: The verdict" in page


def test_only_the_public_namespaces_have_public_module_names() -> None:
    package = Path(__file__).resolve().parents[2] / "conformance"
    modules = {path.stem for path in package.glob("*.py")}
    modules |= {path.name for path in package.iterdir() if (path / "__init__.py").is_file()}
    public = {name for name in modules if not name.startswith("_")}
    public_api = {path.stem for path in (package / "api").glob("*.py")}
    # The pytest plugin's entry point keeps the name pytest and users load it by.
    assert public == {"api", "hookspecs", "report", "plugin"}
    assert {name for name in public_api if not name.startswith("_")} == set()
