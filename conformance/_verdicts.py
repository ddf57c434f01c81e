"""How a check reaches its verdict: the exceptions it raises and the rules for judging errors."""

from __future__ import annotations

from typing import Any

__all__ = [
    "CapabilityAbsent",
    "CheckFailed",
    "NameChanged",
    "PluginEscape",
    "PluginExited",
    "PluginRaised",
    "PluginTimedOut",
    "PreconditionFailed",
    "ShapeFailed",
    "describe",
    "error_kind",
    "is_mlflow_exception",
]


class CheckFailed(AssertionError):
    """The plugin broke the clause; the message says how, in one or two sentences."""


class ShapeFailed(CheckFailed):
    """A value had the wrong shape; ``owner`` is the check whose clause that breaks.

    Any other check that only read the value reports that it could not check, instead of
    charging the plugin a second time for the same defect.
    """

    def __init__(self, message: str, owner: str | None) -> None:
        self.owner = owner
        super().__init__(message)


class NameChanged(CheckFailed):
    """The plugin answered with another name than the one it was given."""


class PluginEscape(Exception):
    """Plugin code raised a BaseException that is not an Exception (SystemExit, say).

    Carried as an ordinary exception so the run goes on and the check that called fails.
    """

    def __init__(self, error: BaseException) -> None:
        self.error = error
        super().__init__(describe(error))


class PluginExited(BaseException):
    """Plugin code called ``os._exit`` on a call the kit made; the kit keeps the process."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"os._exit({code}) was called by the plugin")


class PluginRaised(CheckFailed):
    """A plugin call raised where the clause expects it to succeed."""

    def __init__(self, call: str, error: BaseException) -> None:
        if isinstance(error, PluginEscape):
            error = error.error  # the BaseException the plugin really raised
        self.call = call
        self.error = error
        if isinstance(error, PluginExited):
            super().__init__(
                f"{call} called {error}: a plugin must raise MlflowException, never end the "
                "caller's process"
            )
        elif not isinstance(error, Exception):
            super().__init__(
                f"{call} raised {describe(error)}, which is not an Exception: it would end the "
                "caller's program (the kit caught it and went on)"
            )
        else:
            super().__init__(f"{call} raised {describe(error)}")


class PluginTimedOut(CheckFailed):
    """A plugin call did not return within the timeout: the plugin hangs."""

    def __init__(self, call: str, seconds: float) -> None:
        self.call = call
        self.seconds = seconds
        super().__init__(
            f"{call} did not return within {seconds:g} s (raise --conformance-timeout if the "
            "target is just slow)"
        )


class PreconditionFailed(Exception):
    """What a check needs (a deployment, a response) could not be had; it cannot judge."""


class CapabilityAbsent(Exception):
    """The plugin does not implement an optional part of the API."""

    def __init__(self, capability: str, reason: str) -> None:
        self.capability = capability
        super().__init__(f"capability '{capability}' not supported: {reason}")


def describe(error: BaseException) -> str:
    """``TypeName: message``, short enough for one line of a report."""
    try:
        raw = str(error).strip()
    except BaseException:  # a plugin's __str__ may itself raise
        raw = "<its message could not be read>"
    text = raw.splitlines()[0] if raw else ""
    if len(text) > 300:
        text = text[:297] + "..."
    name = type(error).__qualname__
    module = type(error).__module__
    if module not in ("builtins", "__main__"):
        name = f"{module.split('.')[0]}.{name}" if "." in module else f"{module}.{name}"
    return f"{name}: {text}" if text else name


def is_mlflow_exception(error: BaseException) -> bool:
    """True for the kit's MlflowException and for MLflow's own."""
    from conformance.api._errors import MlflowException
    from conformance.api._mlflow import mlflow_exceptions

    if isinstance(error, MlflowException):
        return True
    exceptions = mlflow_exceptions()
    return exceptions is not None and isinstance(error, exceptions.MlflowException)


def _is_http_error(error: BaseException) -> bool:
    return any(cls.__name__ == "HTTPError" for cls in type(error).__mro__)


def error_kind(error: BaseException) -> str:
    """'mlflow' for MlflowException, 'http' for an HTTPError, 'other' for anything else."""
    if is_mlflow_exception(error):
        return "mlflow"
    if _is_http_error(error):
        return "http"
    return "other"


def error_code(error: BaseException) -> Any:
    """The error code an exception carries, or None."""
    return getattr(error, "error_code", None)
