"""A flow process killed with SIGKILL (the OOM killer, ``kill -9``) leaves no process of its own running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.conftest import ROOT, SIEVE, cli_env, plumbing_config
from tests.processes import alive, alive_children, cmdline, wait_gone

# The flow process's part: start the worker pool as a run does, make sure a worker is up, then wait to be killed.
POOL_OWNER = """
import sys, time
from tasks import workers
workers.pool(1, 1).submit(time.sleep, 0).result()
print("ready", flush=True)
time.sleep(120)
"""


def test_pool_workers_exit_when_the_flow_process_is_killed():
    owner = subprocess.Popen([sys.executable, "-c", POOL_OWNER], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        assert owner.stdout.readline().strip() == "ready"
        workers = [p for p in alive_children(owner.pid) if b"spawn_main" in cmdline(p)]
        assert workers, "the pool started no worker"
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        assert wait_gone(workers, timeout=10) == []
    finally:
        if owner.poll() is None:
            owner.kill()
        for p in workers:
            if alive(p):
                os.kill(p, signal.SIGKILL)


def test_killed_run_leaves_neither_its_api_server_nor_its_workers(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text("".join(f'{{"text": "note {i} about the tide tables"}}\n' for i in range(50)))
    env = {k: v for k, v in cli_env().items() if not k.startswith("PREFECT_API")}  # the CLI starts its own server
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    run = subprocess.Popen([*SIEVE, "run", str(src), "--lake", str(tmp_path / "lake"), "--workers", "1",
                            "--config", str(plumbing_config(tmp_path / "sieve.yaml")), "--json"],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and run.poll() is None:
            kids = {p: cmdline(p) for p in alive_children(run.pid)}
            server = [p for p, cmd in kids.items() if b"prefect.server.api.server:create_app" in cmd]
            workers = [p for p, cmd in kids.items() if b"spawn_main" in cmd]
            if server and workers:
                started = server + workers
                break
            time.sleep(0.2)
        assert started, "the run ended before its server and a worker were seen"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        assert wait_gone(started, timeout=15) == []
    finally:
        if run.poll() is None:
            run.kill()
        for p in started:
            if alive(p):
                os.kill(p, signal.SIGKILL)
