"""The example packages do what the docs say: the tutorial's plugin passes the kit with no MUST
failure, and the broken plugin's committed report is what the kit says about it today.

Both are installed the way pip leaves a package (importable, with its entry points), without a
package index, by docs/blocks.py's ``install_offline``; the two runs go side by side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docs_blocks as blocks
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TUTORIAL = EXAMPLES / "tutorial"
BROKEN = EXAMPLES / "broken"


def _tutorial_report(folder: Path) -> dict[str, Any]:
    sandbox = blocks.Sandbox(folder, install=("tutorial",))
    result = sandbox.shell(
        "cd examples/tutorial\n"
        "python -m pytest -q -p no:cacheprovider --deployment-target=jsondir "
        "--conformance-report=report.json",
        strict=False,
    )
    path = sandbox.root / "examples" / "tutorial" / "report.json"
    assert path.is_file(), result.stdout
    return {"exit": result.returncode, "output": result.stdout, **json.loads(path.read_text())}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Any]]]:
    """The kit on both examples, started together."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="example")
    yield {
        "tutorial": pool.submit(_tutorial_report, tmp_path_factory.mktemp("tutorial")),
        "broken": pool.submit(blocks.broken_certificate, tmp_path_factory.mktemp("broken")),
    }
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.slow
def test_the_tutorial_plugin_passes_with_no_must_failure(runs: dict[str, Future[Any]]) -> None:
    report = runs["tutorial"].result()
    summary = report["summary"]
    assert summary["must_failures"] == [], report["output"]
    assert summary["conformant"] is True
    assert report["exit"] == 0, report["output"]
    assert summary["leftovers"] == []
    # Found through its entry point, as an installed plugin is.
    assert report["plugin"]["distribution"] == "jsondir-deployments"
    # The tutorial's last step adds endpoints and explain, and leaves streaming out.
    capabilities = report["capabilities"]
    assert capabilities["endpoints"] == capabilities["explain"] == "supported"
    assert capabilities["stream"].startswith("not supported")


def test_the_tutorial_package_is_the_last_step() -> None:
    package = (TUTORIAL / "jsondir_target" / "__init__.py").read_text()
    assert package == (TUTORIAL / "steps" / "step4" / "jsondir.py").read_text()


@pytest.mark.slow
def test_the_broken_plugin_report_is_current(runs: dict[str, Future[Any]]) -> None:
    fresh = runs["broken"].result()
    committed = (BROKEN / "REPORT.md").read_text()
    assert blocks.normalise(fresh) == blocks.normalise(committed), (
        "examples/broken/REPORT.md is stale: run `python docs/generate.py --run` and commit it"
    )


def test_the_broken_report_names_every_mistake_the_plugin_makes() -> None:
    source = (BROKEN / "brokendir_target" / "__init__.py").read_text()
    report = (BROKEN / "REPORT.md").read_text()
    failing = set(re.findall(r"^\| `([\w.-]+)` \| (?:MUST|SHOULD) \|", report, re.M))
    # Each MISTAKE comment in the plugin is one clause the kit must name.
    mistakes = {
        "every argument would arrive one place late": "module.run-local-signature",
        "config.get fails when it is None": "deployment.create.config-none",
        "a KeyError, where callers catch MlflowException": "deployment.get.missing-raises",
        "deleting a missing name raises": "deployment.delete.idempotent",
        "lands outside the folder": "names.hostile",
        'no "flavor" key': "deployment.create.returns-flavor",
        'its CLI reads ret["flavor"]': "deployment.update.returns-flavor",
    }
    assert source.count("# MISTAKE") == len(mistakes)
    for comment, check_id in mistakes.items():
        assert comment in " ".join(source.split()), comment
        assert check_id in failing, f"REPORT.md does not name {check_id}"
    assert "**Verdict: not-conformant**" in report
