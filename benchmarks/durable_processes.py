"""``durable_processes``: 8 processes x 1,000 mixed operations on one SQLite store file.

Every process (``python -m benchmarks.durable_processes PATH INDEX``) opens
``memory:///<tmp>/store.db`` and waits for a start file, then runs 200 steps of five operations:
create its own deployment, update that deployment's config, merge its own key into a shared
endpoint's config (a read-modify-write that a lost update would drop), delete or get its
deployment (alternately), and try to create ``race-<step>``, a name every process tries at once.

The parent then checks the exact final state: every process's odd-step deployments and only
those, each with the updated config; each ``race-*`` name created by exactly one process; the
endpoint's config holding every process's last key. Any lost or duplicated operation breaks one
of these. The figure is operations per second over all processes (first start to last finish);
it is met when the final state is exact, whatever the rate.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import ROOT, Figure, Settings, run_env, spread

NAME = "durable_processes"
PROCESSES = 8
STEPS = 200  # five operations each: 1,000 per process
MODEL_URI = "reference:/constant?value=7"
ENDPOINT = "shared"


def child(path: str, index: int) -> dict[str, object]:
    """Run one process's operations; report its time span and which races it won."""
    import conformance.api as api
    from reference_target.client import MemoryDeploymentClient

    client = MemoryDeploymentClient(f"memory://{path}")
    client.get_endpoint(ENDPOINT)  # opens the file before the start
    Path(path).with_name(f"ready-{index}").touch()
    go = Path(path).with_name("go")
    while not go.exists():
        time.sleep(0.005)
    won: list[int] = []
    operations = 0
    start = time.time()
    for step in range(STEPS):
        name = f"p{index}-d{step}"
        client.create_deployment(name, MODEL_URI, config={"n": 0})
        client.update_deployment(name, config={"n": 1})
        client.update_endpoint(ENDPOINT, config={f"p{index}": step})
        if step % 2 == 0:
            client.delete_deployment(name)
        elif client.get_deployment(name)["config"] != {"n": 1}:
            raise RuntimeError(f"{name} lost its update")
        try:
            client.create_deployment(f"race-{step}", MODEL_URI)
            won.append(step)
        except api.MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        operations += 5
    return {"start": start, "end": time.time(), "operations": operations, "won": won}


def _verify(path: str, reports: list[dict[str, object]]) -> None:
    """Raise unless the store holds exactly what the processes' operations leave."""
    from reference_target.client import MemoryDeploymentClient
    from reference_target.store import close_sqlite_store

    client = MemoryDeploymentClient(f"memory://{path}")
    try:
        # A listing holds summaries; each deployment's config comes from get_deployment.
        listed = [client.get_deployment(d["name"]) for d in client.list_deployments()]
        endpoint = client.get_endpoint(ENDPOINT)
    finally:
        close_sqlite_store(path)
    names = [deployment["name"] for deployment in listed]
    expected = {
        f"p{index}-d{step}" for index in range(PROCESSES) for step in range(STEPS) if step % 2 == 1
    } | {f"race-{step}" for step in range(STEPS)}
    if len(names) != len(set(names)) or set(names) != expected:
        missing, extra = expected - set(names), set(names) - expected
        raise RuntimeError(f"final deployments differ: missing {missing}, extra {extra}")
    for deployment in listed:
        wanted = {} if deployment["name"].startswith("race-") else {"n": 1}
        if deployment["config"] != wanted:
            raise RuntimeError(f"{deployment['name']} has config {deployment['config']}")
    wins = sorted(step for report in reports for step in report["won"])  # type: ignore[union-attr]
    if wins != list(range(STEPS)):
        raise RuntimeError("a race-* name was created by no process or by more than one")
    last = {f"p{index}": STEPS - 1 for index in range(PROCESSES)}
    if endpoint["config"] != last:
        raise RuntimeError(f"the endpoint lost a merge: {endpoint['config']} != {last}")


def _round() -> tuple[float, float]:
    """One run of all processes: (operations per second, wall seconds)."""
    from reference_target.client import MemoryDeploymentClient
    from reference_target.store import close_sqlite_store

    with tempfile.TemporaryDirectory(prefix="bench-durable-") as tmp:
        path = str(Path(tmp, "store.db"))
        MemoryDeploymentClient(f"memory://{path}").create_endpoint(ENDPOINT)
        close_sqlite_store(path)
        children = [
            subprocess.Popen(
                [sys.executable, "-m", __name__, path, str(index)],
                cwd=ROOT,
                env=run_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index in range(PROCESSES)
        ]
        # Start together: every process has imported and opened the file before any begins.
        deadline = time.monotonic() + 300
        while not all(Path(tmp, f"ready-{index}").exists() for index in range(PROCESSES)):
            if time.monotonic() > deadline or any(p.poll() is not None for p in children):
                raise RuntimeError("a store process did not get ready")
            time.sleep(0.01)
        Path(tmp, "go").touch()
        reports = []
        for process in children:
            out, err = process.communicate(timeout=600)
            if process.returncode != 0:
                raise RuntimeError(f"a store process exited {process.returncode}:\n{err[-2000:]}")
            reports.append(json.loads(out.strip().splitlines()[-1]))
        _verify(path, reports)
    seconds = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    operations = sum(r["operations"] for r in reports)
    return operations / seconds, seconds


def measure(settings: Settings) -> Figure:
    figure = Figure(
        NAME,
        measures=f"{PROCESSES} processes x {STEPS * 5:,} mixed ops on one SQLite file: ops/s",
        unit="ops/s",
        goal="exact final state (ops/s as is)",
    )
    rounds = min(settings.rounds, 3)  # each round starts 8 interpreters
    runs = [_round() for _ in range(rounds)]  # _round raises on any lost or doubled operation
    figure.result = spread([rate for rate, _ in runs])
    figure.met = True
    figure.details = {
        "processes": PROCESSES,
        "operations_per_process": STEPS * 5,
        "rounds": rounds,
        "seconds": vars(spread([seconds for _, seconds in runs])),
        "final_state": "exact",
    }
    return figure


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]))))
