"""Worker processes start light and niced: the entry point and the initializer's module import nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("typer", "pyarrow", "duckdb", "prefect", "pydantic", "flows.cli", "tasks.shard")


def _imported_by(module: str) -> list[str]:
    code = f"import json, sys, {module}; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_sieve_entry_point_and_the_worker_initializer_import_nothing_heavy():
    # A spawned worker imports the command's main module (the console script: flows.main) and the initializer's
    # module before the initializer lowers its priority: what they import runs at the flow's priority.
    assert _imported_by("flows.main") == []
    assert _imported_by("tasks.worker_init") == []


def test_the_console_script_names_the_light_entry_point():
    import tomllib
    from pathlib import Path

    scripts = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["sieve"] == "flows.main:main"


def test_a_worker_runs_at_a_lower_priority_than_the_flow():
    from tasks import workers
    from tasks.worker_init import WORKER_NICENESS

    workers.allow_new_pool()
    try:
        nice = workers.pool(1).submit(os.getpriority, os.PRIO_PROCESS, 0).result(timeout=120)
    finally:
        workers.shutdown_pool()
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICENESS)
