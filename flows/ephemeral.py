"""Start Prefect's ephemeral API server at the beginning of ``sieve run``, beside the CLI's own start-up.

Without ``PREFECT_API_URL`` Prefect starts a temporary server the first time a flow needs a client: it imports the
whole server package in the CLI process (about 5 s) and then waits for the server subprocess to import it again and
answer ``/health`` (8 s more here). Measured on an idle 2-core machine, that was 13 of the 25 s a one-record run
took. Here the same server command is spawned as soon as the command starts, before the CLI imports Prefect, so
its start-up runs on the other core while the CLI imports, validates the config, plans shards and warms the worker
pool; the CLI process never imports ``prefect.server``. The command line is the one Prefect's own
``SubprocessASGIServer`` uses (prefect/server/api/server.py) and the server inherits this process's environment,
profile and working directory, so it reads the same settings; only block auto-registration is off by default.

When ``PREFECT_API_URL`` is in the environment nothing is started; when a profile or ``prefect.toml`` names an API
(or ephemeral mode is off) the speculative server is stopped as soon as the settings have been read.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

# ``python -m uvicorn ARGS`` that also stops when the process that started it is gone. A CLI killed with SIGKILL
# (the OOM killer, ``kill -9``) cannot stop its server, which then held its port and ~200 MB forever; an orphan is
# adopted by another process, so its parent id changes: the watch asks uvicorn to shut down (SIGTERM), and exits
# outright if it has not within 5 s. The first argument is the parent's pid.
WATCHED_UVICORN = """
import os, runpy, signal, sys, threading, time
parent = int(sys.argv.pop(1))
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    os._exit(1)
threading.Thread(target=watch, name="sieve-parent-watch", daemon=True).start()
sys.argv[0] = "uvicorn"
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


class EarlyApiServer:
    """A Prefect API server subprocess started in the background; ``api_url()`` waits until it is healthy.

    It is spawned at once, before this process imports Prefect (importing ``prefect.settings`` first made the
    server start 3 s into a run); a background thread then reads Prefect's settings and stops it when they name an
    API or forbid ephemeral mode.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.log: IO[bytes] | None = None
        if not os.environ.get("PREFECT_API_URL"):  # the cheap case: an API is set in the environment
            self._spawn()
        self._thread = threading.Thread(target=self._check, name="sieve-early-api", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        try:
            self.port = free_port()
            # A run saves no blocks, so block auto-registration is skipped: its check alone imports every installed
            # Prefect collection (prefect-dask brings dask and distributed), 1.7-2 s of the server's 8.5 s boot
            # here. A `prefect server start` on the same database still registers them. The user's settings win.
            quick = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
                     "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}
            env = {**quick, **os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                   "PREFECT__SERVER_FINAL": "1"}
            # Its output goes to a file, not the CLI's stdout (kept for the one JSON line of --json) or pipes a
            # caller may be reading until they close; the file's tail is shown if the server does not come up.
            self.log = tempfile.TemporaryFile()
            self.process = subprocess.Popen(
                [sys.executable, "-c", WATCHED_UVICORN, str(os.getpid()), "--factory",
                 "prefect.server.api.server:create_app",
                 "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
                env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            )
        except Exception:  # noqa: BLE001 - no early server: Prefect starts its own when the flow needs an API
            self.process = None

    def _check(self) -> None:
        try:
            from prefect.settings import get_current_settings

            settings = get_current_settings()
            needed = not settings.api.url and settings.server.ephemeral.enabled
        except Exception:  # noqa: BLE001 - unreadable settings: let Prefect decide (and report) at flow start
            needed = False
        if not needed:
            self._terminate()

    def api_url(self, timeout: float) -> str | None:
        """The server's API URL once ``/health`` answers; None when none was started (Prefect decides then)."""
        self._thread.join()
        if self.process is None:
            return None
        import httpx

        url = f"http://127.0.0.1:{self.port}/api"
        deadline = time.monotonic() + timeout
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code is not None:  # port taken or a broken install: let Prefect's own start-up handle it
                    self.process = None
                    return None
                try:
                    if client.get(f"{url}/health").status_code == 200:
                        return url
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        tail = self._log_tail()
        self.stop()
        raise RuntimeError(f"the Prefect API server did not answer within {timeout:.0f} s (port {self.port}){tail}")

    def _log_tail(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        return (": " + " | ".join(lines)) if lines else ""

    def stop(self) -> None:
        """Terminate the server (as Prefect does for its own ephemeral server: 5 s grace, then kill)."""
        self._thread.join()
        self._terminate()

    def _terminate(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.log is not None:
            self.log.close()
            self.log = None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (another process may still take it first)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def prefect_api(server: EarlyApiServer | None, timeout: float) -> Iterator[None]:
    """Point Prefect at ``server`` for the duration of the block (no-op when it started nothing)."""
    url = server.api_url(timeout) if server else None
    if url is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # Heartbeats let a long-lived server mark a flow run crashed when they stop. This server lives exactly as long
    # as this process, so nothing could ever read a missed one: none is sent (a thread and an event per run saved).
    with temporary_settings(updates={PREFECT_API_URL: url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
