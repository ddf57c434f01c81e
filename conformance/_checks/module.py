"""The plugin module: what MLflow's loader demands before it will build a client."""

from __future__ import annotations

import inspect
from typing import Any

from conformance import _catalogue as catalogue
from conformance._checks import check
from conformance._context import Context, LoadedPlugin
from conformance._scenarios import scenario
from conformance._verdicts import CheckFailed, PreconditionFailed, describe
from conformance.api._targets import ModuleInspection

_LOADS = catalogue.known_id("module.loads")
_HAS_FUNCTIONS = catalogue.known_id("module.has-run-local-and-target-help")


def _load(context: Context) -> LoadedPlugin:
    return context.plugin()


# Importing the module and building a client: no deployment, no wait on the target.
PLUGIN = scenario(catalogue.PLUGIN, uses_client=False)(_load)


def _inspection(context: Context) -> ModuleInspection:
    plugin = PLUGIN.result(context)
    if plugin.inspection is None:
        raise PreconditionFailed(
            f"the plugin module did not load, see {_LOADS}: {plugin.load_error}"
        )
    return plugin.inspection


def _function(context: Context, name: str) -> Any:
    _inspection(context)
    function = getattr(context.plugin().module, name, None)
    if not callable(function):
        raise PreconditionFailed(f"{name} is missing, see {_HAS_FUNCTIONS}")
    return function


@check(_LOADS)
def module_loads(context: Context) -> None:
    plugin = PLUGIN.result(context)
    if plugin.load_error:
        raise CheckFailed(plugin.load_error)
    inspection = plugin.inspection
    if inspection is not None and len(inspection.client_classes) == 1 and plugin.construct_error:
        raise CheckFailed(f"the client could not be built: {plugin.construct_error}")


@check("module.one-client-class")
def one_client_class(context: Context) -> None:
    problems = [p for p in _inspection(context).problems if "one-client-class" in p]
    if problems:
        raise CheckFailed(problems[0])


@check(_HAS_FUNCTIONS)
def has_run_local_and_target_help(context: Context) -> None:
    problems = [p for p in _inspection(context).problems if "run-local-and-target-help" in p]
    if problems:
        raise CheckFailed(problems[0])


@check("module.target-help-returns-text")
def target_help_returns_text(context: Context) -> None:
    target_help = _function(context, "target_help")
    try:
        text = context.runner.call("target_help()", target_help)
    except CheckFailed:
        raise
    except Exception as error:
        raise CheckFailed(f"target_help() raised {describe(error)}") from error
    if not isinstance(text, str) or not text.strip():
        raise CheckFailed(f"target_help() returned {text!r}; it must return non-empty help text")


@check("module.run-local-signature")
def run_local_signature(context: Context) -> None:
    run_local = _function(context, "run_local")
    try:
        signature = inspect.signature(run_local)
    except (TypeError, ValueError):
        return  # a builtin or C function: nothing to read, so nothing to blame
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].name == "target":
        raise CheckFailed(
            f"run_local{signature} follows MLflow's documented signature, but MLflow calls "
            "run_local(name, model_uri, flavor, config): every argument would arrive one place "
            "late. Drop the 'target' parameter."
        )
    try:
        signature.bind("name", "model-uri", None, {})
    except TypeError as error:
        raise CheckFailed(
            f"run_local{signature} cannot be called as MLflow calls it, "
            f"run_local(name, model_uri, flavor, config): {error}"
        ) from error
