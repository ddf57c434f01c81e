"""A server started for a compatibility run leaves no process behind when it ends."""

from __future__ import annotations

import subprocess
import sys

from process_group import end_group, group_alive, start_group

# A "server" that, like gunicorn, starts a worker of its own and serves until signalled.
_FORKING_SERVER = """
import subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(worker.pid, flush=True)
time.sleep(600)
"""


def test_ending_a_server_ends_the_workers_it_started() -> None:
    server = start_group([sys.executable, "-c", _FORKING_SERVER], stdout=subprocess.PIPE)
    assert server.stdout is not None
    worker = int(server.stdout.readline())
    server.stdout.close()
    assert group_alive(server.pid)

    end_group(server, grace=5.0)

    assert server.returncode is not None
    assert not group_alive(server.pid)
    try:
        with open(f"/proc/{worker}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
        assert state == "Z", f"the worker {worker} outlived its server"
    except FileNotFoundError:
        pass  # gone entirely


def test_ending_a_server_that_already_exited_is_no_error() -> None:
    server = start_group([sys.executable, "-c", "pass"])
    server.wait()
    end_group(server, grace=1.0)
    assert not group_alive(server.pid)
