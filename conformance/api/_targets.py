"""Target URIs, plugin modules and the rules a plugin module must keep.

A target URI is ``name`` or ``name:/suffix``; the name picks a plugin module, found in this
order: modules given to :func:`register_target`, then the ``mlflow.deployments`` entry-point group,
then (with MLflow installed) MLflow's built-in targets.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import inspect
import threading
import traceback
import urllib.parse
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from conformance.api._client import BaseDeploymentClient
from conformance.api._errors import ErrorCode, MlflowException
from conformance.api._mlflow import mlflow_available, mlflow_deployments

__all__ = [
    "ENTRY_POINT_GROUP",
    "REQUIRED_FUNCTIONS",
    "ModuleInspection",
    "client_class",
    "get_deploy_client",
    "inspect_plugin_module",
    "load_target_module",
    "parse_target_uri",
    "register_target",
    "run_local",
    "target_help",
]

ENTRY_POINT_GROUP = "mlflow.deployments"
REQUIRED_FUNCTIONS = ("run_local", "target_help")

# MLflow registers this one in code rather than through an entry point.
_MLFLOW_BUILTIN_TARGETS = {"sagemaker": "mlflow.sagemaker"}

_registered: dict[str, ModuleType | str] = {}
_loaded: dict[str, ModuleType] = {}
_lock = threading.Lock()


def parse_target_uri(target_uri: str) -> str:
    """The target name of ``name`` or ``name:/suffix``; anything else raises."""
    if not isinstance(target_uri, str) or not target_uri.strip():
        raise MlflowException(
            f"A deployment target URI must be a non-empty string such as 'memory' or "
            f"'memory:/namespace'; got {target_uri!r}.",
            ErrorCode.INVALID_PARAMETER_VALUE,
        )
    parsed = urllib.parse.urlparse(target_uri)
    if parsed.scheme:
        return parsed.scheme
    if parsed.path:
        return parsed.path
    raise MlflowException(
        f"{target_uri!r} is not a deployment target URI: write 'target' or 'target:/suffix'.",
        ErrorCode.INVALID_PARAMETER_VALUE,
    )


def register_target(name: str, module: ModuleType | str) -> None:
    """Make a plugin module that is not installed as an entry point answer to ``name``.

    ``module`` is a module object or an importable dotted name. With MLflow installed, MLflow's
    own ``get_deploy_client`` learns the name too when the module can be imported by name.
    """
    with _lock:
        _registered[name] = module
        _loaded.pop(name, None)
    module_name = module if isinstance(module, str) else module.__name__
    deployments = mlflow_deployments()
    if deployments is not None and _findable(module_name):
        from mlflow.deployments.interface import plugin_store

        plugin_store.register(name, module_name)


def _findable(module_name: str) -> bool:
    """Whether ``module_name`` can be imported; a missing parent package is a plain no."""
    try:
        return importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        return False


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def known_targets() -> list[str]:
    """Every target name this process can resolve."""
    names = set(_registered) | set(_entry_points())
    if mlflow_available():
        names |= set(_MLFLOW_BUILTIN_TARGETS)
    return sorted(names)


def _import(target: str, module_or_name: ModuleType | str | Any) -> ModuleType:
    if isinstance(module_or_name, ModuleType):
        return module_or_name
    try:
        if isinstance(module_or_name, str):
            loaded = importlib.import_module(module_or_name)
        elif hasattr(module_or_name, "load") and not inspect.isclass(module_or_name):
            # Entry points may come from importlib.metadata or its backport: recognise either.
            loaded = module_or_name.load()
        else:
            loaded = module_or_name
    except Exception as exc:
        raise MlflowException(
            f"The plugin for target {target!r} failed to import: {type(exc).__name__}: {exc}"
            f"{_raised_at(exc)}",
            ErrorCode.INTERNAL_ERROR,
        ) from exc
    if not isinstance(loaded, ModuleType):
        named = (
            f"class {loaded.__module__}.{loaded.__qualname__}"
            if inspect.isclass(loaded)
            else f"{type(loaded).__name__} object"
        )
        raise MlflowException(
            f"Rule module.is-module: the entry point for target {target!r} names the "
            f"{named}, not a module. MLflow only loads plugin modules: point "
            "the entry point at the module that holds the client class.",
            ErrorCode.INTERNAL_ERROR,
        )
    return loaded


def _raised_at(error: BaseException) -> str:
    """`` (raised at FILE, line N)``: the innermost frame outside the import machinery."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<frozen") and "importlib" not in frame.filename
    ]
    if not frames or frames[-1].filename == __file__:
        return ""
    return f" (raised at {frames[-1].filename}, line {frames[-1].lineno})"


def _closest(target: str, known: list[str]) -> str:
    """`` Did you mean 'x'?`` for a name close to ``target``, else nothing."""
    close = difflib.get_close_matches(target, known, n=3, cutoff=0.6)
    if not close:
        return ""
    return f" Did you mean {' or '.join(repr(name) for name in close)}?"


def load_target_module(target_uri: str) -> ModuleType:
    """The plugin module for ``target_uri``, imported but not yet checked against the rules."""
    target = parse_target_uri(target_uri)
    with _lock:
        if target in _loaded:
            return _loaded[target]
        source: Any = _registered.get(target)
    if source is None:
        source = _entry_points().get(target)
    if source is None and mlflow_available():
        source = _MLFLOW_BUILTIN_TARGETS.get(target)
    if source is None:
        known = known_targets()
        raise MlflowException(
            f"No deployment plugin is installed for target {target!r}.{_closest(target, known)} "
            f"Installed targets: {', '.join(known) or 'none'}. Install the plugin's package, or "
            "name its module with register_target() (or --deployment-plugin=MODULE).",
            ErrorCode.RESOURCE_DOES_NOT_EXIST,
        )
    module = _import(target, source)
    with _lock:
        _loaded[target] = module
    return module


@dataclass(frozen=True)
class ModuleInspection:
    """What MLflow's loader sees in a plugin module."""

    module_name: str
    client_classes: tuple[str, ...]
    missing_functions: tuple[str, ...]
    imported_base: bool = field(default=False)

    @property
    def problems(self) -> list[str]:
        """One sentence per broken rule, each naming the rule; empty when the module is fine."""
        found: list[str] = []
        if self.missing_functions:
            found.append(
                "Rule module.has-run-local-and-target-help: module "
                f"{self.module_name!r} lacks {' and '.join(self.missing_functions)}; "
                "define both at module level."
            )
        if not self.client_classes:
            found.append(
                f"Rule module.one-client-class: module {self.module_name!r} has no subclass of "
                "BaseDeploymentClient among its members."
            )
        elif len(self.client_classes) > 1:
            hint = (
                " conformance.api.BaseDeploymentClient is among them because the module imports "
                "it by name; import the module instead (import conformance.api as api)."
                if self.imported_base
                else " MLflow counts imported classes too; import their modules instead."
            )
            found.append(
                f"Rule module.one-client-class: module {self.module_name!r} has "
                f"{len(self.client_classes)} client classes ({', '.join(self.client_classes)}); "
                f"MLflow loads exactly one.{hint}"
            )
        return found


def _is_client_class(obj: Any) -> bool:
    if not inspect.isclass(obj):
        return False
    deployments = mlflow_deployments()
    if deployments is not None:
        return issubclass(obj, deployments.BaseDeploymentClient) and (
            obj is not deployments.BaseDeploymentClient
        )
    return issubclass(obj, BaseDeploymentClient)


def inspect_plugin_module(module: ModuleType) -> ModuleInspection:
    """Count client classes and required functions exactly as MLflow's loader does."""
    members = dict(inspect.getmembers(module))
    classes = tuple(name for name, obj in members.items() if _is_client_class(obj))
    missing = tuple(name for name in REQUIRED_FUNCTIONS if not callable(members.get(name)))
    imported_base = any(members[name] is BaseDeploymentClient for name in classes)
    return ModuleInspection(module.__name__, classes, missing, imported_base)


def client_class(module: ModuleType) -> type[Any]:
    """The module's one client class; a broken module rule raises ``MlflowException``."""
    inspection = inspect_plugin_module(module)
    if inspection.problems:
        raise MlflowException(" ".join(inspection.problems), ErrorCode.INTERNAL_ERROR)
    return getattr(module, inspection.client_classes[0])


def get_deploy_client(target_uri: str) -> Any:
    """A client for ``target_uri``: the plugin's one client class, built with the full URI."""
    return client_class(load_target_module(target_uri))(target_uri)


def _checked_module(target: str) -> ModuleType:
    module = load_target_module(target)
    client_class(module)
    return module


def run_local(
    target: str,
    name: str,
    model_uri: str,
    flavor: str | None = None,
    config: dict[str, Any] | None = None,
) -> Any:
    """Serve a model locally through ``target``'s plugin.

    The plugin's ``run_local`` is called as ``(name, model_uri, flavor, config)``: that is how
    MLflow really calls it, whatever MLflow's base module documents.
    """
    return _checked_module(target).run_local(name, model_uri, flavor, config)


def target_help(target: str) -> str:
    """The plugin's help text for ``target``."""
    return _checked_module(target).target_help()
