"""The environment of the kit's run against mlflow-crusoe, loaded with ``-p compat_setup``.

mlflow-crusoe keeps each deployment as ``<store>/<name>.json`` and sends predictions to an
OpenAI-compatible API. Here the store lies four folders deep inside a fresh temporary folder,
so a name such as ``../x`` lands inside that folder and nowhere else; the API is a stub on
127.0.0.1; the API key is a dummy. An audit hook records every file the plugin's calls open for
writing, and the report says which of them left the store and whether any left the temporary
folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from openai_stub import OpenAIStub

MODELS = ["stub/alpha-model", "stub/beta-model"]
SAMPLE_INPUT = {"prompt": "Name three prime numbers."}
# The kit calls plugin code on threads with these names; writes from other threads (pytest's
# own, the kit's report) are not the plugin's.
_PLUGIN_THREADS = ("conformance-call", "conformance-race")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# create_deployment() checks path.exists() and then writes. A create usually finishes within one
# thread switch, so concurrent creates race only now and then; holding each racing write this
# long lets every racer pass the check first, so the race shows in every run, not in some.
_RACE_WRITE_DELAY = 0.05


class _Environment:
    """The temporary folder, the store inside it, the stub server and the write audit."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="crusoe-compat-")).resolve()
        self.store = self.root / "nest" / "deeper" / "deepest" / "store"
        self.store.mkdir(parents=True)
        self.stub = OpenAIStub().start()
        self.writes: list[str] = []
        self.lock = threading.Lock()
        os.environ["MLFLOW_CRUSOE_STORE_DIR"] = str(self.store)
        os.environ["CRUSOE_API_KEY"] = "dummy-key-for-the-local-stub"
        sys.addaudithook(self.audit)

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        """Record paths the plugin opens for writing, creates or removes."""
        if not threading.current_thread().name.startswith(_PLUGIN_THREADS):
            return
        path: Any = None
        if event == "open" and len(args) >= 3:
            path, mode, flags = args[0], args[1], args[2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if not writing:
                return
            if threading.current_thread().name.startswith("conformance-race"):
                time.sleep(_RACE_WRITE_DELAY)
        elif event in ("os.remove", "os.rename", "os.mkdir"):
            path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            text = os.fsdecode(path)
            with self.lock:
                self.writes.append(text)

    def summary(self) -> dict[str, Any]:
        """Where the plugin wrote, relative to the store and to the temporary folder."""
        outside_store, outside_root = set(), set()
        for written in self.writes:
            resolved = Path(os.path.abspath(written))
            if not resolved.is_relative_to(self.store):
                outside_store.add(str(resolved))
            if not resolved.is_relative_to(self.root):
                outside_root.add(str(resolved))
        left_in_root = sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("*")
            if p.is_file() and not p.is_relative_to(self.store)
        )
        return {
            "temporary_folder": str(self.root),
            "store": str(self.store),
            "writes": len(self.writes),
            "outside_store": sorted(outside_store),
            "outside_temporary_folder": sorted(outside_root),
            "files_left_outside_store": left_in_root,
            "stub_requests": self.stub.requests,
        }

    def close(self) -> None:
        self.stub.stop()
        shutil.rmtree(self.root, ignore_errors=True)


_ENVIRONMENT: _Environment | None = None


def environment() -> _Environment:
    """Built on first use: the kit may ask for its profile before pytest_configure runs here."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = _Environment()
    return _ENVIRONMENT


def pytest_configure(config: Any) -> None:
    environment()


def pytest_conformance_profile(config: Any) -> dict[str, Any]:
    # The model id is opaque to the plugin; api_base points every prediction at the stub.
    return {"config": {"api_base": environment().stub.base_url}}


def pytest_conformance_models(config: Any, target_uri: str) -> list[str]:
    return list(MODELS)


def pytest_conformance_sample_input(config: Any, target_uri: str) -> Any:
    # Crusoe's predict takes a prompt, a message list or a string; it refuses DataFrames.
    return dict(SAMPLE_INPUT)


def pytest_conformance_report(config: Any, report: Any) -> None:
    report.statistics["environment"] = {"filesystem": environment().summary()}


def pytest_unconfigure(config: Any) -> None:
    if _ENVIRONMENT is not None:
        _ENVIRONMENT.close()
