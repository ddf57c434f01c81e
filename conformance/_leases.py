"""Leases: how a sweep on this machine tells a live run's deployments from a crashed run's.

Every process of a run (each xdist worker too) holds a shared ``flock`` on
``<runtime folder>/runs/<token>.lease`` from before its first create until it exits; the
operating system drops the lock when the process ends, however it ends. A sweep asks for the
exclusive lock without waiting: if it cannot have it, a process of that run is alive. A lease
says nothing about runs on other machines: see docs/ci.md.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]

from conformance._folders import runtime_folder

__all__ = ["LEASES_SUPPORTED", "Lease", "leases_folder", "run_file", "run_is_live"]

LEASES_SUPPORTED = fcntl is not None
_SUFFIX = ".lease"


def leases_folder() -> Path:
    folder = runtime_folder() / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_file(token: str, suffix: str) -> Path:
    """A file that belongs to the run ``token`` (its lease, its shared snapshot)."""
    return leases_folder() / f"{token}{suffix}"


class Lease:
    """The shared lock one process of run ``token`` holds for its life."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.path = run_file(token, _SUFFIX)
        self._file: IO[bytes] | None = None

    def take(self) -> Lease:
        """Hold the lease (once; a second call does nothing)."""
        if self._file is not None or fcntl is None:
            return self
        while True:
            file = open(self.path, "ab")  # noqa: SIM115 - held open for the process's life
            fcntl.flock(file.fileno(), fcntl.LOCK_SH)
            # A sweep may have removed a finished run's file between the open and the lock:
            # only a lock on the file that is still at the path counts.
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(file.fileno()), os.stat(self.path)):
                    self._file = file
                    return self
            file.close()

    def release(self) -> None:
        """Let the lease go; the run counts as finished once every process released it."""
        if self._file is not None:
            self._file.close()
            self._file = None


def run_is_live(token: str) -> bool | None:
    """True while a process of run ``token`` on this machine holds its lease, False when none
    does, None when this system has no file locks to ask. A finished run's files are removed."""
    if fcntl is None:
        return None
    path = run_file(token, _SUFFIX)
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False
    with file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        # Nobody holds it: the run is over. Remove its files while the lock keeps takers out.
        for leftover in leases_folder().glob(f"{token}.*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return False
