"""Servers started for a compatibility run, ended with every process they started.

``mlflow gateway start`` runs uvicorn or gunicorn, which starts workers of its own: ending only
the process Popen returned leaves them running. So a server starts in a session (and process
group) of its own, and ending it signals the whole group, then waits until none of it is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Any

__all__ = ["end_group", "group_alive", "start_group"]


def start_group(command: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start ``command`` as the leader of a new process group."""
    return subprocess.Popen(command, start_new_session=True, **popen)


def group_alive(group: int) -> bool:
    """Whether any process of the group is still there (zombies reaped by others aside)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of the group exists, under another user
        return True
    return True


def end_group(leader: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM the leader's whole group, SIGKILL what is left after ``grace`` seconds."""
    group = leader.pid  # the leader of a new session leads its group: same id
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            leader.poll()  # reap the leader, or it stays in the group as a zombie
            if not group_alive(group):
                return
            time.sleep(0.05)
    leader.poll()
