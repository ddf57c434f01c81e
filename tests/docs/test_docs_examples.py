"""Every code block of the docs runs, and prints what its page shows, so the docs cannot rot.

The blocks are found and run by docs/blocks.py (its docstring says how each kind of block is
treated); the pages run two at a time, each in a sandbox of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docs_blocks as blocks
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(path.name for path in DOCS.glob("*.md"))
# The longest pages first, so two workers finish at about the same time.
_LONGEST = ("tutorial.md", "quickstart.md", "architecture.md", "ci.md")


@pytest.fixture(scope="module")
def page_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Any]]]:
    """The selected pages' runs, started at once on two workers; each test waits for its own."""
    selected = {
        item.callspec.params["page"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_page_blocks_run_and_print_what_the_page_shows"
    }
    order = [p for p in _LONGEST if p in selected] + sorted(selected - set(_LONGEST))
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="docs-page")
    runs = {
        page: pool.submit(
            blocks.run_page, (DOCS / page).read_text(), page, tmp_path_factory.mktemp(page)
        )
        for page in order
    }
    yield runs
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_blocks_run_and_print_what_the_page_shows(
    page: str, page_runs: dict[str, Future[Any]]
) -> None:
    outcome = page_runs[page].result()  # a block that fails raises BlockFailed here
    found = blocks.parse_blocks((DOCS / page).read_text(), page)
    # Each block ran, was compared with its file, or is one the page says cannot run here.
    assert len(outcome.ran) + len(outcome.compared) + len(outcome.not_run) == len(found)
    for line in outcome.not_run:
        assert "marked skip" in line or "needs MLflow" in line or "not a script" in line, line
    if any(b.lang in blocks.RUNNABLE and not b.skip and not b.title for b in found):
        assert outcome.ran, f"{page} has runnable blocks, and none ran"


def test_skipped_blocks_are_few_and_say_why() -> None:
    skipped = [
        block
        for page in PAGES
        for block in blocks.parse_blocks((DOCS / page).read_text(), page)
        if block.skip is not None
    ]
    for block in skipped:
        assert block.skip != "no reason given", f"{block.where}: say why it cannot run"
        # Python blocks always run: only installs and servers may be skipped.
        assert block.lang in ("sh", "console"), f"{block.where}: a {block.lang} block skipped"
    assert len(skipped) <= 5, [block.where for block in skipped]


def test_every_page_has_code_that_the_tests_run_or_compare() -> None:
    for page in ("quickstart.md", "tutorial.md", "ci.md", "quirks.md", "architecture.md"):
        found = blocks.parse_blocks((DOCS / page).read_text(), page)
        assert any(blocks.why_not_run(b) is None or b.title for b in found), page


def test_ci_jobs_run_the_command_the_page_runs() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with the docs extra")
    page = (DOCS / "ci.md").read_text()
    jobs = [b for b in blocks.parse_blocks(page, "ci.md") if b.lang == "yaml"]
    commands = [b.text for b in blocks.parse_blocks(page, "ci.md") if b.lang == "sh"]
    (command,) = [text for text in commands if "pytest" in text]
    flags = [word for word in command.split() if word.startswith("--")]
    assert {"--junitxml=reports/junit.xml", "--conformance-report=reports/conformance.json"} < set(
        flags
    )
    direct = [job for job in jobs if "pytest" in job.text]
    assert len(direct) == 2
    # Each job also gates on the report's verdict, as the page's verify command does.
    (verify,) = [text for text in commands if "conformance verify" in text]
    assert "--require" in verify
    for job in direct:
        assert "python -m conformance verify reports/conformance.json --require" in job.text
    for job in jobs:
        parsed = yaml.safe_load(job.text)
        assert isinstance(parsed, dict) and parsed
        assert "reports/" in job.text, f"{job.where} keeps no reports"
    for job in direct:
        for flag in flags:
            assert flag in job.text, f"{job.where} does not pass {flag}"
    # The matrix job runs the tutorial's noxfile, which passes the same options per session.
    noxfile = (ROOT / "examples" / "tutorial" / "noxfile.py").read_text()
    for flag in flags:
        assert flag.split("=")[0] in noxfile, f"the noxfile does not pass {flag}"


def test_the_ci_matrix_names_sessions_the_noxfile_defines() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with the docs extra")
    pytest.importorskip("nox", reason="nox comes with the dev extra")
    page = (DOCS / "ci.md").read_text()
    (job,) = [b for b in blocks.parse_blocks(page, "ci.md") if "nox -s" in b.text]
    matrix = yaml.safe_load(job.text)["jobs"]["conformance"]["strategy"]["matrix"]
    wanted = {f"conformance-{p}({m})" for p in matrix["python"] for m in matrix["mlflow"]}
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "--list", "--json"],
        cwd=ROOT / "examples" / "tutorial",
        capture_output=True,
        text=True,
        check=True,
    )
    assert {s["session"] for s in json.loads(listed.stdout)} == wanted


def test_mkdocs_nav_lists_every_page() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with the docs extra")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())

    def pages(entries: list[object]) -> list[str]:
        found: list[str] = []
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            found += pages(value) if isinstance(value, list) else [str(value)]
        return found

    assert sorted(pages(config["nav"])) == PAGES


def test_mkdocs_builds_the_site_strictly(tmp_path: Path) -> None:
    pytest.importorskip(
        "mkdocs", reason="mkdocs is not installed here: `pip install -e '.[docs]'` adds it"
    )
    pytest.importorskip("material", reason="the material theme comes with the docs extra")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tutorial" / "index.html").is_file()
    assert "jsondir" in (tmp_path / "tutorial" / "index.html").read_text()


# -- the block runner itself ---------------------------------------------------------------------


def test_markers_and_titles_are_read() -> None:
    page = (
        "<!-- docs-test: skip needs the index -->\n```sh\npip install x\n```\n"
        "<!-- docs-test: needs-mlflow -->\n```python\nimport mlflow\n```\n"
        '```python title="examples/tutorial/steps/step2/jsondir.py (missing, '
        'JsonDirClient._record)"\npass\n```\n'
    )
    skip, mlflow, excerpt = blocks.parse_blocks(page, "p.md")
    assert (skip.skip, skip.needs_mlflow, skip.line) == ("needs the index", False, 2)
    assert (mlflow.skip, mlflow.needs_mlflow) == (None, True)
    assert excerpt.title == (
        "examples/tutorial/steps/step2/jsondir.py",
        ("missing", "JsonDirClient._record"),
    )


def test_an_excerpt_that_differs_from_its_file_is_caught() -> None:
    path = "examples/tutorial/steps/step2/jsondir.py"
    right = blocks.excerpt(path, ["missing"])
    good = f'```python title="{path} (missing)"\n{right}```\n'
    (block,) = blocks.parse_blocks(good, "p.md")
    blocks.check_excerpt(block)
    (bad,) = blocks.parse_blocks(good.replace("No {kind}", "no {kind}"), "p.md")
    with pytest.raises(blocks.BlockFailed, match="differs"):
        blocks.check_excerpt(bad)


def test_console_outputs_compare_with_ellipses_and_masks() -> None:
    shown = "...\nverdict: CONFORMANT\nmdc-abc123-m-shared-1 in 1.50s\n..."
    assert blocks.output_matches(shown, "a\nb\nverdict: CONFORMANT\nmdc-zz99zz-m-shared-1 in 9.1s")
    assert not blocks.output_matches(shown, "verdict: NOT CONFORMANT\nmdc-zz99zz-m-shared-1 in 1s")
    assert blocks.output_matches("one\n...\nthree", "one\ntwo\ntwo\nthree")
    assert not blocks.output_matches("one\n...\nthree", "one\ntwo")
    assert not blocks.output_matches("exact", "exact\nand more")
    assert blocks.console_steps("$ cd x\n$ echo a \\\n  b\na b\n") == [
        ("cd x", ""),
        ("echo a \\\n  b", "a b"),
    ]


def test_a_console_command_that_prints_something_else_fails(tmp_path: Path) -> None:
    page = "```console\n$ cd examples\n$ ls -d tutorial\ntutorial\n$ echo two\none\n```\n"
    with pytest.raises(blocks.BlockFailed, match="`echo two` printed something else"):
        blocks.run_page(page, "p.md", tmp_path)


def test_the_tutorial_shows_every_function_each_step_changes() -> None:
    steps = sorted((ROOT / "examples" / "tutorial" / "steps").glob("step*/jsondir.py"))
    assert len(steps) == 4
    changed = blocks.changed_definitions(steps[0], steps[1])
    assert changed == ["missing", "JsonDirClient._record", "JsonDirClient.get_deployment"]
