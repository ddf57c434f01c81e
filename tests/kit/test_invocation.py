"""How the kit is switched on: inert without a target, cheap to import, and in charge of what
pytest collects once ``--deployment-target`` is given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from plugins_for_kit.kit_helpers import (
    CHECK_IDS,
    INCOMPLETE,
    SUBPROCESS_ARGS,
    outcomes,
    run_kit,
    unique,
)

from conformance._catalogue import CATALOGUE, by_id
from conformance._checks import finishing_order, scenarios
from conformance._options import OPTIONS
from conformance.plugin import SESSION_PLUGIN_NAME

# What loading the kit must not drag into every pytest run of every project that installs it.
HEAVY_MODULES = ("pandas", "numpy", "hypothesis", "jsonschema", "mlflow")

USER_TEST = """
    from pathlib import Path


    def test_mine():
        Path("user-test-ran").write_text("yes")
"""


def _clean_environment() -> dict[str, str]:
    """This process's environment without anything that would steer a child pytest."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


def _heavy_modules_after(code: str, cwd: Path) -> list[str]:
    """Run ``code`` in a fresh interpreter; which heavy modules it left in sys.modules."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=cwd,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _collected_ids(result: pytest.RunResult) -> list[str]:
    """The node ids ``--collect-only -q`` printed, in order."""
    lines = result.stdout.lines
    return [line for line in lines[: lines.index("")] if line.strip()]


def test_without_a_target_the_kit_is_inert(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST)

    items, _ = pytester.inline_genitems("-p", "no:cacheprovider")
    result = pytester.runpytest("-p", "no:cacheprovider")

    assert [item.nodeid for item in items] == ["test_user.py::test_mine"]
    assert not any(item.get_closest_marker("conformance") for item in items)
    result.assert_outcomes(passed=1)
    assert "deployment conformance" not in result.stdout.str()


@pytest.mark.parametrize("target", [None, "memory"])
def test_the_session_plugin_is_registered_only_with_a_target(
    pytester: pytest.Pytester, target: str | None
) -> None:
    # Asked from inside a test, so the run goes through a whole session like a user's does.
    pytester.makepyfile(
        test_probe=f"""
        def test_probe(request):
            plugin = request.config.pluginmanager.get_plugin({SESSION_PLUGIN_NAME!r})
            assert (plugin is not None) is {target is not None}
        """
    )
    arguments = ["test_probe.py", "-k", "test_probe or deployment.create.returns-name"]
    if target:
        arguments.append(f"--deployment-target={target}:/{unique()}")

    result = pytester.runpytest("-p", "no:cacheprovider", *arguments)

    if target:
        result.assert_outcomes(passed=2, deselected=len(CHECK_IDS) - 1)
    else:
        result.assert_outcomes(passed=1)


def test_importing_the_plugin_imports_no_heavy_module(tmp_path: Path) -> None:
    assert _heavy_modules_after("import pytest, conformance.plugin", tmp_path) == []


def test_a_plain_collect_only_run_imports_no_heavy_module(tmp_path: Path) -> None:
    (tmp_path / "test_trivial.py").write_text("def test_trivial():\n    pass\n")
    # Hypothesis's own pytest plugin imports hypothesis in every run; it is not the kit's doing,
    # so it is switched off to see what the kit alone imports.
    code = """
        import pytest
        code = pytest.main(
            ["--co", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "test_trivial.py"]
        )
        assert code == 0, code
        import conformance.plugin
    """

    assert _heavy_modules_after(code, tmp_path) == []


def test_collect_only_lists_exactly_the_catalogue_in_the_order_checks_run(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", f"--deployment-target=memory:/{unique()}", "--co", "-q"
    )

    assert sorted(_collected_ids(result)) == sorted(CHECK_IDS)
    assert _collected_ids(result) == finishing_order()


def test_checks_whose_scenarios_end_first_run_first() -> None:
    declared = scenarios()
    ends = [
        (declared[by_id(c).scenario].last, declared[by_id(c).scenario].chain)
        for c in finishing_order()
    ]
    assert ends == sorted(ends)
    assert finishing_order()[0] == "module.loads"
    # The class round trip, judged once no scenario runs, comes after every shared-deployment
    # check, so none waits behind it.
    shared = [c.id for c in CATALOGUE if c.scenario == "shared deployment"]
    position = finishing_order().index
    assert all(position(c) < position("predictions.class-round-trips") for c in shared)


def test_collect_only_succeeds_without_judging_the_target(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", f"--deployment-target=memory:/{unique()}", "--co", "-q"
    )

    assert "no check applied" not in result.stdout.str()
    assert result.ret == 0


def test_an_explicit_path_adds_the_users_tests_to_the_contract(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user=USER_TEST)
    target = f"--deployment-target=memory:/{unique()}"

    listed = pytester.runpytest("-p", "no:cacheprovider", target, "--co", "-q", "test_user.py")
    result, report = run_kit(
        pytester, target, "test_user.py", "-k", "test_mine or deployment.create.returns-name"
    )

    assert _collected_ids(listed) == [*finishing_order(), "test_user.py::test_mine"]
    result.assert_outcomes(passed=2, deselected=len(CHECK_IDS) - 1)
    assert (pytester.path / "user-test-ran").read_text() == "yes"
    assert report is not None
    assert outcomes(report)["deployment.create.returns-name"] == "passed"


@pytest.mark.parametrize("configured_testpaths", [False, True])
def test_without_a_path_only_the_contract_runs(
    pytester: pytest.Pytester, configured_testpaths: bool
) -> None:
    # A failing test in the folder proves it is not collected: the run would fail otherwise.
    pytester.makepyfile(test_user="def test_mine():\n    raise AssertionError('collected')\n")
    if configured_testpaths:
        pytester.makeini("[pytest]\ntestpaths = .\n")
    target = f"--deployment-target=memory:/{unique()}"

    listed = pytester.runpytest("-p", "no:cacheprovider", target, "--co", "-q")
    result, _ = run_kit(pytester, target, "-k", "deployment.create.returns-name or test_mine")

    assert _collected_ids(listed) == finishing_order()
    assert result.ret == INCOMPLETE
    result.assert_outcomes(passed=1, deselected=len(CHECK_IDS) - 1)


def test_help_shows_the_option_group_with_every_option(pytester: pytest.Pytester) -> None:
    # In a subprocess: --help ends pytest before its session starts, which would leave
    # hypothesis's plugin counting this process as still initialising.
    result = pytester.runpytest_subprocess(*SUBPROCESS_ARGS, "--help")
    text = result.stdout.str()

    assert result.ret == 0
    assert "MLflow deployment-target conformance:" in text
    group = text[text.index("MLflow deployment-target conformance:") :]
    missing = [option.flag for option in OPTIONS if option.flag not in group]
    assert missing == []


def test_the_kit_runs_without_pytest_xdist(pytester: pytest.Pytester) -> None:
    """xdist is optional: the kit's xdist hooks must not make pytest refuse the plugin."""
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-p", "no:xdist", f"--deployment-target=memory:/{unique()}"
    )

    assert result.ret == 0, result.stdout.str()[-2000:]
    assert "verdict: CONFORMANT" in result.stdout.str()
