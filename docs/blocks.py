"""The fenced code blocks of the docs pages: found, checked and run the way a reader runs them.

What a block is depends on its fence:

- ``python``: a script, run by the environment's Python in a subprocess;
- ``sh``: a shell script, run by bash with ``set -euo pipefail``;
- ``console``: ``$ command`` lines (a trailing backslash continues one), each followed by what
  it prints. A line ``...`` stands for any number of lines; run tokens, timings and versions
  are masked before outputs are compared;
- any fence with ``title="PATH"`` or ``title="PATH (NAME, NAME)"``: an excerpt of a file in this
  repository, which must equal the file (or those functions and methods of it). Excerpts are
  not run here: the pages run the files they come from.

An HTML comment on the line above a fence changes what happens to it:
``<!-- docs-test: skip REASON -->`` never runs it, ``<!-- docs-test: needs-mlflow -->`` runs it
only where MLflow is installed.

Each page runs in its own :class:`Sandbox`: a temporary folder with a copy of ``examples/``,
where the tutorial's plugin is installed without a package index. A page's blocks run in order
and share the working directory, as they would in one terminal.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RUNNABLE = ("python", "sh", "console")
ELLIPSIS = "..."
# What examples/ holds that a run leaves behind, never the examples themselves.
_SCRATCH = ("__pycache__", "*-store", "report.json", "CERTIFICATE.md", "reports", ".hypothesis")

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>[^\n]*)$")
_MARKER = re.compile(r"^<!-- docs-test: (?P<kind>skip|needs-mlflow)(?: (?P<reason>.*?))? -->$")
_TITLE = re.compile(r'title="(?P<path>[^" ()]+)(?: \((?P<names>[\w., ]+)\))?"')

# Details that change from run to run, replaced before outputs are compared.
_MASKS = (
    # Scenarios run concurrently, so which one draws which counter varies from run to run.
    (re.compile(r"\bmdc-[a-z0-9]{6}-((?:m|w\d+)-[a-z0-9-]*?)-\d+\b"), r"mdc-XXXXXX-\1-N"),
    (re.compile(r"\bmdc-[a-z0-9]{6}-"), "mdc-XXXXXX-"),
    # A one-line summary may cut a name inside its token.
    (re.compile(r"\bmdc-[a-z0-9]{0,6}\.\.\."), "mdc-X..."),
    (re.compile(r"create latency [0-9.e+-]+ s"), "create latency T s"),
    (re.compile(r" in [0-9.]+s\b( \([0-9:]+\))?"), " in Ts"),
    (re.compile(r"\(kit [^,()]*, MLflow [^,()]*, Python [^,()]*, [^()]*\)"), "(kit VERSIONS)"),
    (
        re.compile(r"^- Kit .*, Python [^ ]+ on .*, \d{4}-\d\d-\d\dT[0-9:+]+\.$", re.M),
        "- Kit VERSIONS.",
    ),
    (re.compile(r"SHA-256 `[0-9a-f]{64}`"), "SHA-256 `HASH`"),
)


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: str
    line: int  # 1-based line of the opening fence
    lang: str
    info: str
    text: str
    skip: str | None = None  # why it never runs
    needs_mlflow: bool = False

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def title(self) -> tuple[str, tuple[str, ...]] | None:
        """The file (and the definitions in it) an excerpt comes from."""
        match = _TITLE.search(self.info)
        if match is None:
            return None
        names = tuple(n.strip() for n in (match["names"] or "").split(",") if n.strip())
        return match["path"], names


def parse_blocks(markdown: str, page: str = "<page>") -> list[Block]:
    """Every fenced block of ``markdown``, with the marker above it, if any."""
    blocks: list[Block] = []
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index] != "```":
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"{page}:{start + 1}: the fence is never closed")
        marker = _MARKER.match(lines[start - 1]) if start else None
        blocks.append(
            Block(
                page=page,
                line=start + 1,
                lang=fence["lang"],
                info=fence["info"].strip(),
                text="\n".join(body) + "\n",
                skip=(marker["reason"] or "no reason given")
                if marker and marker["kind"] == "skip"
                else None,
                needs_mlflow=bool(marker and marker["kind"] == "needs-mlflow"),
            )
        )
        index += 1
    return blocks


# -- excerpts --------------------------------------------------------------------------------


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    """Top-level functions and classes, and methods as ``Class.method``."""
    found: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = node
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{member.name}"] = member
    return found


def _source(text: str, node: ast.AST) -> str:
    lines = text.split("\n")
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    assert node.end_lineno is not None
    return textwrap.dedent("\n".join(lines[first - 1 : node.end_lineno]))


def definitions(path: Path) -> dict[str, str]:
    """The dedented source of each function, class and method of a Python file."""
    text = path.read_text()
    return {name: _source(text, node) for name, node in _definitions(ast.parse(text)).items()}


def excerpt(relative_path: str, names: Iterable[str] = ()) -> str:
    """A file of this repository, or the named definitions of a Python file, as shown."""
    path = ROOT / relative_path
    names = tuple(names)
    if not names:
        return path.read_text()
    found = definitions(path)
    unknown = [name for name in names if name not in found]
    if unknown:
        raise KeyError(f"{relative_path} defines no {', '.join(unknown)}")
    # Two blank lines between definitions, as between top-level functions of a module.
    return "\n\n\n".join(found[name] for name in names) + "\n"


def changed_definitions(before: Path, after: Path) -> list[str]:
    """Functions and methods that ``after`` adds or changes relative to ``before``."""
    old, new = definitions(before), definitions(after)
    classes = {n for n, s in new.items() if s.startswith("class ")}
    return [n for n, s in new.items() if n not in classes and old.get(n) != s]


# -- outputs ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """``text`` with volatile details masked and trailing blanks dropped."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def output_matches(shown: str, actual: str) -> bool:
    """True when ``actual`` fits ``shown``, whose ``...`` lines stand for any lines."""
    want = normalise(shown).split("\n") if shown.strip() else []
    have = normalise(actual).split("\n") if actual.strip() else []
    segments: list[list[str]] = [[]]
    for line in want:
        if line == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return want == have
    first, *middle, last = segments
    if have[: len(first)] != first or (last and have[len(have) - len(last) :] != last):
        return False
    position, end = len(first), len(have) - len(last)
    if end < position:
        return False
    for segment in middle:
        if not segment:
            continue
        for start in range(position, end - len(segment) + 1):
            if have[start : start + len(segment)] == segment:
                position = start + len(segment)
                break
        else:
            return False
    return True


def console_steps(text: str) -> list[tuple[str, str]]:
    """A console block as (command, shown output) pairs."""
    steps: list[tuple[str, list[str]]] = []
    lines = text.rstrip("\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("$ "):
            command = [line[2:]]
            while command[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                command.append(lines[index])
            steps.append(("\n".join(command), []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"console output before any command: {line!r}")
        index += 1
    return [(command, "\n".join(output)) for command, output in steps]


def summary_excerpt(output: str) -> str:
    """The kit's terminal summary out of a pytest run's output, between ``...`` lines."""
    lines = output.rstrip("\n").split("\n")
    starts = [i for i, line in enumerate(lines) if "deployment conformance:" in line]
    ends = [i for i, line in enumerate(lines) if line.startswith("verdict: ")]
    if not starts or not ends:
        raise ValueError(f"no conformance summary in this output:\n{output}")
    return "\n".join([ELLIPSIS, *lines[starts[-1] : ends[-1] + 1], ELLIPSIS])


# -- running ---------------------------------------------------------------------------------


def mlflow_installed() -> bool:
    return importlib.util.find_spec("mlflow") is not None


def install_offline(project: Path, site: Path) -> None:
    """Install the package at ``project`` into ``site`` as pip would, without an index.

    It writes what pip leaves behind that matters here: the importable package and a
    ``.dist-info`` folder with the entry points, so the target is found by name.
    """
    metadata = tomllib.loads((project / "pyproject.toml").read_text())
    distribution = metadata["project"]
    packages = metadata["tool"]["setuptools"]["packages"]
    for package in packages:
        (site / package).symlink_to(project / package, target_is_directory=True)
    name = re.sub(r"[-_.]+", "_", distribution["name"])
    info = site / f"{name}-{distribution['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution['name']}\nVersion: {distribution['version']}\n"
    )
    (info / "top_level.txt").write_text("\n".join(packages) + "\n")
    groups = distribution.get("entry-points", {})
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in points.items())
            for group, points in groups.items()
        )
    )


class Sandbox:
    """A temporary folder with a copy of ``examples/``, some of them installed, and a shell."""

    def __init__(self, folder: Path, install: Iterable[str] = ("tutorial", "broken")) -> None:
        self.root = folder / "work"
        shutil.copytree(EXAMPLES, self.root / "examples", ignore=shutil.ignore_patterns(*_SCRATCH))
        self.site = folder / "site"
        self.site.mkdir()
        for example in install:
            install_offline(self.root / "examples" / example, self.site)
        self.scripts = folder / "scripts"
        self.scripts.mkdir()
        self.cwd = self.root
        self.env = {
            **os.environ,
            # The interpreter running this, and its console scripts (pytest, mkdocs, mlflow).
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            # The installed examples first, then a checkout already on PYTHONPATH (the kit
            # under test), rather than whichever copy of the kit is installed.
            "PYTHONPATH": os.pathsep.join(
                [str(self.site), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "PYTHONDONTWRITEBYTECODE": "1",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "1",
            # Derandomised property-based checks, so counts in the summaries repeat.
            "CI": "true",
            "COLUMNS": "80",
            "PIP_NO_INDEX": "1",
        }
        self.env.pop("PYTEST_ADDOPTS", None)
        self.env.pop("PYTEST_XDIST_WORKER", None)
        self._count = 0

    def _script(self, suffix: str, text: str) -> Path:
        self._count += 1
        path = self.scripts / f"block{self._count}{suffix}"
        path.write_text(text)
        return path

    def shell(self, command: str, *, strict: bool) -> subprocess.CompletedProcess[str]:
        """Run ``command`` in the current folder; a ``cd`` in it moves the folder on."""
        state = self.scripts / "cwd"
        script = self._script(
            ".sh",
            ("set -euo pipefail\n" if strict else "")
            + f"cd {shlex.quote(str(self.cwd))}\n"
            + f"trap 'pwd > {shlex.quote(str(state))}' EXIT\n"
            + command
            + "\n",
        )
        result = subprocess.run(
            ["bash", str(script)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )
        if state.is_file():
            self.cwd = Path(state.read_text().strip())
        return result

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        script = self._script(".py", code)
        return subprocess.run(
            [sys.executable, str(script)],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )


class BlockFailed(AssertionError):
    """A block did not run, or printed something other than its page shows."""


def why_not_run(block: Block) -> str | None:
    """Why ``block`` is not run here, or None when it is."""
    if block.skip is not None:
        return f"marked skip: {block.skip}"
    if block.needs_mlflow and not mlflow_installed():
        return "needs MLflow, which is not installed here"
    if block.lang not in RUNNABLE or block.title is not None:
        return "not a script: an excerpt, or a language that does not run"
    return None


def run_block(sandbox: Sandbox, block: Block) -> list[tuple[str, str]]:
    """Run one block; a console block's (command, actual output) pairs are returned."""
    if block.lang == "python":
        result = sandbox.python(block.text)
        if result.returncode != 0:
            raise BlockFailed(f"{block.where}: the python block failed:\n{result.stdout}")
        return []
    if block.lang == "sh":
        result = sandbox.shell(block.text, strict=True)
        if result.returncode != 0:
            raise BlockFailed(f"{block.where}: the sh block failed:\n{result.stdout}")
        return []
    actual = []
    for command, _ in console_steps(block.text):
        actual.append((command, sandbox.shell(command, strict=False).stdout))
    return actual


def check_excerpt(block: Block) -> None:
    """An excerpt must equal the file, or the definitions, its title names."""
    title = block.title
    assert title is not None
    path, names = title
    try:
        expected = excerpt(path, names)
    except (OSError, KeyError, SyntaxError) as error:
        raise BlockFailed(f"{block.where}: the excerpt's title is wrong: {error}") from None
    if block.text != expected:
        raise BlockFailed(f"{block.where}: the excerpt differs from {path} {names or ''}")


@dataclass
class PageRun:
    """What happened to a page's blocks: run, compared with their files, or neither (and why)."""

    ran: list[str]
    compared: list[str]
    not_run: list[str]


def run_page(markdown: str, page: str, folder: Path) -> PageRun:
    """Check every excerpt and run every runnable block of a page, in order.

    Raises :class:`BlockFailed` on the first block that fails or prints something else.
    """
    sandbox = Sandbox(folder)
    outcome = PageRun([], [], [])
    for block in parse_blocks(markdown, page):
        if block.title is not None:
            check_excerpt(block)
            outcome.compared.append(block.where)
            continue
        reason = why_not_run(block)
        if reason is not None:
            outcome.not_run.append(f"{block.where} ({block.lang}): {reason}")
            continue
        printed = run_block(sandbox, block)
        outcome.ran.append(block.where)
        if block.lang != "console":
            continue
        for (command, shown), (_, actual) in zip(console_steps(block.text), printed, strict=True):
            if not output_matches(shown, actual):
                raise BlockFailed(
                    f"{block.where}: `{command}` printed something else.\n--- shown\n{shown}\n"
                    f"--- printed\n{actual}"
                )
    return outcome


def broken_certificate(folder: Path) -> str:
    """The kit's certificate for ``examples/broken``, from a fresh run of the kit on it."""
    sandbox = Sandbox(folder, install=("broken",))
    result = sandbox.shell(
        "cd examples/broken\n"
        "python -m pytest -q -p no:cacheprovider --deployment-target=brokendir "
        "--conformance-certificate=REPORT.md",
        strict=False,
    )
    report = sandbox.root / "examples" / "broken" / "REPORT.md"
    if not report.is_file():
        raise BlockFailed(f"the kit wrote no certificate for examples/broken:\n{result.stdout}")
    return report.read_text()


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="docs-blocks-")
