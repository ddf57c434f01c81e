"""Command-line option names, their profile keys and their defaults: the one list of settings.

This module is imported on every pytest run of every project that installs the kit, so it
imports nothing beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_TIMEOUT", "GROUP", "OPTIONS", "PYPROJECT_SECTION", "Option"]

GROUP = "deployment-conformance"
PYPROJECT_SECTION = "deployment-conformance"  # [tool.deployment-conformance]
DEFAULT_TIMEOUT = 600.0  # seconds; real targets take minutes to deploy


@dataclass(frozen=True)
class Option:
    """One setting: its command-line flag, its profile key and how argparse reads it."""

    flag: str
    key: str
    help: str
    metavar: str | None = None
    action: str = "store"
    repeatable: bool = False

    @property
    def dest(self) -> str:
        return "conformance_" + self.key

    def argparse_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"dest": self.dest, "help": self.help, "default": None}
        if self.action == "store_true":
            kwargs["action"] = "store_true"
        else:
            kwargs["action"] = "append" if self.repeatable else "store"
            kwargs["metavar"] = self.metavar
        return kwargs


OPTIONS: tuple[Option, ...] = (
    Option(
        "--deployment-target",
        "target",
        "certify the deployment target at this URI (turns the kit on)",
        "URI",
    ),
    Option(
        "--deployment-plugin",
        "plugin",
        "plugin module to load when the target is not "
        "installed as an mlflow.deployments entry point",
        "MODULE",
    ),
    Option(
        "--deployment-model-uri",
        "model_uris",
        "model to deploy; give it twice: the primary model, then the model to update to",
        "URI",
        repeatable=True,
    ),
    Option(
        "--deployment-bad-model-uri",
        "bad_model_uri",
        "a model URI the target cannot resolve (default: one with an unregistered scheme)",
        "URI",
    ),
    Option(
        "--deployment-flavor",
        "flavor",
        "flavor to pass where a flavor is needed "
        "(default: the one create reports, else python_function)",
        "FLAVOR",
    ),
    Option(
        "--deployment-input",
        "input",
        "sample input for predict, JSON or CSV (default: a small numeric DataFrame)",
        "PATH",
    ),
    Option(
        "--deployment-input-format",
        "input_format",
        "how to read --deployment-input: auto (default), dataframe or json",
        "FORMAT",
    ),
    Option(
        "--deployment-existing-endpoint",
        "existing_endpoint",
        "an endpoint the target already has: read and predicted against, never changed",
        "NAME",
    ),
    Option(
        "--deployment-existing-deployment",
        "existing_deployment",
        "a deployment under --deployment-existing-endpoint: read, never changed",
        "NAME",
    ),
    Option(
        "--deployment-config",
        "config",
        "target-specific config passed to create",
        "KEY=VALUE",
        repeatable=True,
    ),
    Option(
        "--conformance-profile",
        "profile",
        "profile file (TOML or JSON) with any of these settings",
        "PATH",
    ),
    Option("--conformance-report", "report", "write the JSON report here", "PATH"),
    Option("--conformance-certificate", "certificate", "write a Markdown certificate here", "PATH"),
    Option(
        "--conformance-reproducers",
        "reproducers",
        "write a reproducer script for each failed check into this folder (<check id>.py)",
        "DIR",
    ),
    Option(
        "--conformance-strict", "strict", "SHOULD failures fail the run too", action="store_true"
    ),
    Option(
        "--conformance-timeout",
        "timeout",
        f"limit for each plugin call (default {DEFAULT_TIMEOUT:g})",
        "SECONDS",
    ),
    Option(
        "--conformance-sweep",
        "sweep",
        "first delete deployments and endpoints left by earlier, crashed runs of the kit",
        action="store_true",
    ),
    Option(
        "--conformance-xfail",
        "xfail",
        "expect this check to fail, for this reason (an unexpected pass fails)",
        "CHECK_ID=REASON",
        repeatable=True,
    ),
    Option(
        "--conformance-capability",
        "capabilities",
        "declare a capability present (on) or absent (off)",
        "NAME=on|off",
        repeatable=True,
    ),
    Option(
        "--conformance-watchdog",
        "watchdog",
        "on (default): a watchdog process ends a plugin call that holds the process past the "
        "timeout plus 5 s, and reports a run the plugin ended; off: no watchdog",
        "on|off",
    ),
    Option(
        "--conformance-thread-safe",
        "thread_safe",
        "on (default): independent scenarios run at once, each with a client of its own (and "
        "pytest -n keeps the run in one process); off: the plugin's clients must not be used "
        "from several threads, so scenarios run one by one (spread over pytest -n's workers)",
        "on|off",
    ),
    Option(
        "--conformance-hypothesis",
        "hypothesis",
        "example budget of property-based checks: quick (default; one example for checks that "
        "create deployments) or thorough (scaled to the target's create latency)",
        "PROFILE",
    ),
)
