"""A check that cannot fail is a defect: every check of the catalogue is shown failing here.

Each ``tests/plugins/broken_*.py`` module is a plugin with exactly one violation. It declares the
check that must catch it (``VIOLATES``), the other checks the same violation legitimately
fails (``ALSO_FAILS``), and any extra kit options it needs (``KIT_ARGS``). The declarations are
read from the source, so collecting these tests imports no plugin.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance._catalogue import CATALOGUE, Level, by_id

PLUGINS_DIR = Path(__file__).resolve().parent.parent / "plugins"


@dataclass(frozen=True)
class Broken:
    """What a broken plugin module declares about itself."""

    module: str
    violates: str
    also_fails: frozenset[str]
    kit_args: tuple[str, ...] = ()
    default_models: bool = False  # run with the kit's own models, which need MLflow

    @property
    def level(self) -> Level:
        return by_id(self.violates).level

    @property
    def blamed(self) -> frozenset[str]:
        return self.also_fails | {self.violates}


def _declared(path: Path) -> Broken:
    values = {}
    for node in ast.parse(path.read_text()).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id in (
            "VIOLATES",
            "ALSO_FAILS",
            "KIT_ARGS",
            "DEFAULT_MODELS",
        ):
            values[target.id] = ast.literal_eval(node.value)  # type: ignore[union-attr]
    return Broken(
        path.stem,
        values["VIOLATES"],
        frozenset(values["ALSO_FAILS"]),
        tuple(values.get("KIT_ARGS", ())),
        bool(values.get("DEFAULT_MODELS", False)),
    )


BROKEN = [_declared(path) for path in sorted(PLUGINS_DIR.glob("broken_*.py"))]
SHOULD_BROKEN = [broken for broken in BROKEN if broken.level is Level.SHOULD]


def _ids(broken: Broken) -> str:
    return broken.module


def test_every_check_has_a_broken_plugin() -> None:
    """A new check without a plugin that breaks it fails here."""
    assert {broken.violates for broken in BROKEN} == {check.id for check in CATALOGUE}


@pytest.mark.parametrize("broken", BROKEN, ids=_ids)
def test_declarations_name_catalogue_checks(broken: Broken) -> None:
    """Every id a plugin names exists; a SHOULD violation explains no MUST failure."""
    for check_id in broken.blamed:
        by_id(check_id)
    assert broken.violates not in broken.also_fails
    if broken.level is Level.SHOULD:
        assert {by_id(i).level for i in broken.also_fails} <= {Level.SHOULD}


def assert_caught(broken: Broken, run) -> None:
    """The declared check fails, nothing the violation does not explain fails, and the exit
    code and pytest outcomes follow the level of what failed.
    """
    verdict = run.check(broken.violates)
    assert verdict["outcome"] in ("failed", "could-not-check"), (
        f"{broken.violates} passed a plugin that breaks it ({broken.module}): {verdict}"
    )
    assert verdict["message"], "a failure must say what went wrong"
    # A check that could not look because a blamed check failed names that check.
    unexplained = {
        i: run.check(i)["message"]
        for i in run.failing - broken.blamed
        if run.check(i)["outcome"] == "failed"
        or not any(blamed in run.check(i)["message"] for blamed in broken.blamed)
    }
    assert not unexplained, f"failures the violation does not explain: {unexplained}"

    outcomes = run.result.parseoutcomes()
    if broken.level is Level.MUST:
        assert run.ret != 0
        assert outcomes.get("failed", 0) >= 1
    else:
        # A SHOULD failure passes in pytest with a warning, and leaves the exit code at 0.
        assert run.ret == 0, run.result.stdout.str()[-2000:]
        assert outcomes.get("warnings", 0) >= 1
        assert "failed" not in outcomes
        assert "xfailed" not in outcomes


HANGING = "broken_explain_hangs"


@pytest.mark.parametrize("broken", [b for b in BROKEN if b.module != HANGING], ids=_ids)
def test_kit_catches_the_violation(broken: Broken, run_kit_on_plugin) -> None:
    assert_caught(broken, run_broken(broken, run_kit_on_plugin))


def run_broken(broken: Broken, run_kit_on_plugin, *extra: str):
    """The kit's run on ``broken``, with the models it declares it needs."""
    if broken.default_models:
        pytest.importorskip("mlflow", reason="the kit's default pyfunc models need MLflow")
    return run_kit_on_plugin(
        broken.module, *extra, *broken.kit_args, model_uris=not broken.default_models
    )


def test_a_hanging_call_fails_its_check_and_the_run_goes_on(run_kit_on_plugin) -> None:
    """explain never returns: its check fails on the timeout, and the checks after it still run."""
    broken = next(b for b in BROKEN if b.module == HANGING)
    assert "--conformance-timeout=1" in broken.kit_args
    run = run_kit_on_plugin(broken.module, *broken.kit_args)

    assert_caught(broken, run)
    verdict = run.check(broken.violates)
    assert verdict["outcome"] == "failed"
    assert "did not return within 1 s" in verdict["message"]
    assert verdict["duration"] < 10
    assert run.check("stream.yields-dicts")["outcome"] == "passed"
    assert run.with_outcome("passed") == {c.id for c in CATALOGUE} - broken.blamed
    assert run.report["summary"]["leftovers"] == []


@pytest.mark.parametrize("broken", SHOULD_BROKEN, ids=_ids)
def test_strict_mode_fails_on_should_violations(broken: Broken, run_kit_on_plugin) -> None:
    """With --conformance-strict a SHOULD failure fails the run. The full run above already
    showed what else fails, so this run keeps to the one check.
    """
    run = run_broken(broken, run_kit_on_plugin, "--conformance-strict", "-k", broken.violates)
    assert run.check(broken.violates)["outcome"] == "failed"
    assert run.ret != 0
    assert run.result.parseoutcomes().get("failed") == 1


# Verdicts on plugins that break a check's precondition rather than its clause.


def test_a_should_check_that_cannot_judge_says_so(run_kit_on_plugin) -> None:
    """predict returns a plain dict, so predictions.strict-json has no response to judge."""
    run = run_kit_on_plugin("broken_predict_returns_dict", "-k", "predictions.strict-json")
    assert run.check("predictions.strict-json")["outcome"] == "could-not-check"


def test_conflict_check_takes_its_own_baseline(run_kit_on_plugin) -> None:
    """The first predict after create fails (the deployment is still starting); later ones work,
    and the plugin does keep the existing deployment, so only the blocking check may blame it.
    """
    run = run_kit_on_plugin(
        "broken_create_returns_early", "-k", "deployment.create.conflict-keeps-existing"
    )
    assert run.check("deployment.create.conflict-keeps-existing")["outcome"] == "passed"
