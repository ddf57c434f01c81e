"""``conformance.run()``: the same catalogue and checks, driven from a script."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from conformance._options import OPTIONS
from conformance.report import Report

__all__ = ["run"]


class _ReportSink:
    """Catches the report as the kit hands it to the ``pytest_conformance_report`` hook."""

    def __init__(self) -> None:
        self.report: Report | None = None

    def pytest_conformance_report(self, config: Any, report: Report) -> None:
        self.report = report


def _arguments(target_uri: str, options: dict[str, Any]) -> list[str]:
    flags = {option.key: option for option in OPTIONS}
    arguments = [f"--deployment-target={target_uri}"]
    for key, value in options.items():
        if key not in flags or key == "target":
            raise TypeError(
                f"run() got an unknown option {key!r}; options are: "
                f"{', '.join(k for k in flags if k != 'target')}"
            )
        option = flags[key]
        if option.action == "store_true":
            if value:
                arguments.append(option.flag)
        elif isinstance(value, dict):
            arguments += [f"{option.flag}={k}={_text(v)}" for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            arguments += [f"{option.flag}={v}" for v in value]
        elif value is not None:
            if key in _PATH_KEYS:
                value = os.path.abspath(value)  # the run happens in a temporary folder
            arguments.append(f"{option.flag}={_text(value)}")
    return arguments


_PATH_KEYS = {"report", "certificate", "profile", "input"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def run(target_uri: str, *, quiet: bool = True, **options: Any) -> Report:
    """Certify ``target_uri`` and return the report.

    ``options`` are the profile keys (``plugin``, ``model_uris``, ``config``, ``strict``,
    ``timeout``, ``xfail``, ``capabilities``, ``report``, …), as in the pyproject section.
    With ``quiet`` (the default) nothing is printed; the output is kept on
    ``report.statistics["output"]`` when the run fails.
    """
    import pytest

    sink = _ReportSink()
    arguments = _arguments(target_uri, options)
    with tempfile.TemporaryDirectory(prefix="conformance-run-") as folder:
        # An empty root keeps the caller's own pytest configuration and tests out of the run.
        ini = Path(folder) / "pytest.ini"
        ini.write_text("[pytest]\n")
        arguments += ["-c", str(ini), "--rootdir", folder, "-p", "no:cacheprovider"]
        # The kit is imported before pytest starts here, so assertion rewriting cannot apply.
        arguments += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        output = io.StringIO()
        previous = os.getcwd()
        try:
            os.chdir(folder)
            with contextlib.ExitStack() as stack:
                if quiet:
                    stack.enter_context(contextlib.redirect_stdout(output))
                    stack.enter_context(contextlib.redirect_stderr(output))
                exit_code = pytest.main(arguments, plugins=[sink])
        finally:
            os.chdir(previous)
    if sink.report is None:
        raise RuntimeError(
            f"the conformance run of {target_uri!r} ended before it produced a report "
            f"(pytest exit code {int(exit_code)}); run `pytest {' '.join(arguments)}` to see why"
            + (f":\n{output.getvalue()[-2000:]}" if output.getvalue() else "")
        )
    if quiet and exit_code:
        sink.report.statistics["output"] = output.getvalue()
    return sink.report
