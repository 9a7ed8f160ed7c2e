"""The first code a worker process runs, kept free of imports so that it runs before the worker's heavy ones.

A spawned worker imports, in order: the command's main module, the module of its initializer, then (in the
initializer and the warm-up) the stages and their models. Its lower CPU priority is set in the initializer, so
everything imported before it ran at the flow's priority: the pyarrow, DuckDB and config imports of both workers
competed with the CLI's own Prefect import and the Prefect server's start-up on a 2-core machine. With this module
as the initializer's home and a light ``sieve`` entry point (``flows/main.py``), a worker is niced after about
50 ms of imports instead of 0.4 s.
"""

from __future__ import annotations

import os
import threading
import time

#: How much lower than the flow process a worker runs (``nice`` steps).
WORKER_NICENESS = 5


def lower_priority() -> None:
    """First thing in every worker process: run at a slightly lower CPU priority (nice +5) than the flow process.

    The workers load their models while the CLI waits for Prefect's API server to boot, and all three compete for
    the cores; with the server and the flow's orchestration ahead of them, a one-record run with every stage was
    1.0-3.4 s faster in each of five paired runs on 2 cores (18.7-23.1 s against 20.3-24.2 s). When nothing else
    wants the CPU the workers still get all of it: 10k and 100k exact-dedup runs took the same time.
    """
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not permitted on this platform: run at normal priority
        pass


def exit_with_parent(parent: int, every: float = 0.5) -> None:
    """Poll until this process's parent is no longer ``parent``, then exit at once.

    A flow process killed with SIGKILL (the OOM killer, ``kill -9``) never shuts its pool down, and its workers
    would wait on the task queue forever, each holding its loaded models (about 0.5 GB), a busy one still writing
    its shard into the lake a rerun is resuming. An orphan is adopted by another process, so its parent id changes.
    """
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def worker_init(parent: int) -> None:
    """A worker's initializer: a lower CPU priority, and a watch that ends it when its flow process dies."""
    lower_priority()
    threading.Thread(target=exit_with_parent, args=(parent,), name="sieve-parent-watch", daemon=True).start()
