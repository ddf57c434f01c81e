"""The per-user folders the kit keeps files in: a cache (default models) and a runtime folder
(the leases of live runs). Never the system temp folder, which other users share and which
nothing cleans while the machine runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["APP_NAME", "runtime_folder", "user_cache_folder"]

APP_NAME = "mlflow-deployments-conformance"


def user_cache_folder() -> Path:
    """The platform's per-user cache folder for the kit (created on first use).

    ``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS and
    ``%LOCALAPPDATA%`` on Windows, as platformdirs would choose.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / APP_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def runtime_folder() -> Path:
    """Where live runs keep their leases: ``$XDG_RUNTIME_DIR`` (private to the user, emptied at
    logout) when the system has one, else a folder in the user cache (created on first use)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = (
        Path(runtime) / APP_NAME
        if runtime and Path(runtime).is_dir()
        else user_cache_folder() / "runtime"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder
