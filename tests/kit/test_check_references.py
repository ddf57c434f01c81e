"""Check bodies name other checks through the catalogue, never by a string of their own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conformance._catalogue import CATALOGUE, known_id

CHECKS = Path(__file__).parents[2] / "conformance" / "_checks"
# Where an id is written on purpose: the registration of a body, and the lookup itself.
_RESOLVERS = {"check", "known_id"}
_ID = re.compile(
    r"(?<![\w.-])("
    + "|".join(re.escape(c.id) for c in sorted(CATALOGUE, key=lambda c: -len(c.id)))
    + r")(?![\w-])"
)


def _docstrings(tree: ast.AST) -> set[int]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _resolved(tree: ast.AST) -> set[int]:
    """The string arguments of check(...) and known_id(...) calls."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in _RESOLVERS:
                found.update(id(argument) for argument in node.args)
    return found


def spelt_ids(source: str) -> list[tuple[int, str]]:
    """(line, id) of each check id written in a string that is no docstring and no argument of
    check(...) or known_id(...)."""
    tree = ast.parse(source)
    allowed = _docstrings(tree) | _resolved(tree)
    strings = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in allowed
    ]
    return [(node.lineno, found) for node in strings for found in _ID.findall(node.value)]


@pytest.mark.parametrize(
    "module",
    sorted(path.name for path in CHECKS.glob("*.py")),
)
def test_a_check_body_names_other_checks_through_the_catalogue(module: str) -> None:
    assert spelt_ids((CHECKS / module).read_text()) == []


def test_the_guard_sees_an_id_in_a_message_but_not_in_a_registration() -> None:
    source = (
        '@check("module.loads")\n'
        "def body(context):\n"
        '    """Unlike module.loads, ..."""\n'
        '    owner = known_id("module.one-client-class")\n'
        '    raise PreconditionFailed(f"{owner} failed; see module.loads")\n'
    )
    assert spelt_ids(source) == [(5, "module.loads")]


def test_an_unknown_id_fails_loudly_where_it_is_named() -> None:
    assert known_id("module.loads") == "module.loads"
    with pytest.raises(KeyError, match=r"no check 'module\.lodas' in the catalogue"):
        known_id("module.lodas")


def test_the_reproducers_tables_name_catalogue_checks_only() -> None:
    """A misspelt id in a table of the reproducers would silently give that check the generic
    replay instead of its own judgement."""
    from conformance import _reproducers as reproducers

    tables = {
        "RULES": reproducers.RULES,
        "_FOREIGN_TESTS": reproducers._FOREIGN_TESTS,
        "_BEYOND_A_SCRIPT": reproducers._BEYOND_A_SCRIPT,
        "_GENERATED_SEQUENCES": reproducers._GENERATED_SEQUENCES,
        "_LOADING": reproducers._LOADING,
    }
    for name, table in tables.items():
        for check_id in table:
            assert known_id(check_id) == check_id, name
