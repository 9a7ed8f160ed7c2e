"""The flow's worker process pool, kept free of Prefect so the CLI can start the workers before it imports Prefect.

The workers are spawned (not forked: the flow process runs Prefect's threads, and forking a threaded process can
deadlock). Each one imports the stages and loads their models on start-up, which takes seconds; starting them
before this process imports Prefect (about 1 s of the CLI's start-up) lets that import and theirs share the cores.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, ProcessPoolExecutor
from typing import Any

from tasks import shard
from tasks.worker_init import worker_init

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
# Set when a failed or interrupted run stops the pool, until the next flow run starts (``allow_new_pool``) or the
# pool is shut down after the flow returned: the flow's task threads still waiting to start a shard must not
# start a new pool and go on with a run that has ended.
_STOPPING = False


def pool_size(workers: int) -> int:
    """Worker processes for a ``--workers`` value (0 = one per core)."""
    return workers or os.cpu_count() or 1


def pool(workers: int, size: int | None = None) -> ProcessPoolExecutor:
    """The process pool, created on first use with ``size`` workers (default ``pool_size(workers)``)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            if _STOPPING:
                raise CancelledError("the run was interrupted: no further shard is started")
            _POOL = ProcessPoolExecutor(
                max_workers=size or pool_size(workers),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=worker_init,
                initargs=(os.getpid(),),
            )
        return _POOL


def warm_pool(workers: int, config_json: str, lake_root: str, shards: int | None = None) -> None:
    """Start the worker processes now (spawn, imports, model loads take seconds) so they are ready for shard one.

    ``shards``, the plan's shard count estimated from file sizes (None = unknown), caps the pool: a worker with
    no shard of its own would load every model a second time on the same cores, and would take the first
    shard while the warm worker is still loading (a one-shard sample run with the default stages took 23.6 s
    with two workers, 17.7 s with one, on a busy 2-core machine). An estimate can be low only for inputs of a
    few shards (slices that do not pack evenly), where fewer workers cost little.
    """
    size = min(pool_size(workers), shards or pool_size(workers))
    executor = pool(workers, size)
    for _ in range(size):  # one submit per worker: the spawn context starts workers on demand
        executor.submit(shard.warm_up, config_json, lake_root)


def warm_workers(lake: str, config_json: str, workers: int, shards: int | None = None) -> None:
    """Start the flow's workers for a run into ``lake`` (a local lake; a bad one is left for the flow to report)."""
    from tasks.lake import LakeError, local_path

    try:
        root = local_path(lake)
    except LakeError:
        return
    warm_pool(workers, config_json, str(root), shards)


def allow_new_pool() -> None:
    """Start of a flow run: a pool may be started again (``sieve serve`` runs many flows in one process)."""
    global _STOPPING
    with _POOL_LOCK:
        _STOPPING = False


def shutdown_pool(wait: bool = True, stop: bool = False, kill: bool = False) -> None:
    """Stop the worker processes (end of a flow run).

    ``wait=False`` lets idle workers exit while the flow goes on (an interpreter's teardown takes about 0.5 s);
    the executor's own thread reaps them, and Python joins it before this process exits. ``stop=True`` (a failed
    run) also refuses to start a new pool for the shards not yet started: the flow's task threads did so and
    went on staging every shard of a run that had ended, so Ctrl+C took 146 s to end a 10k-document run with
    every stage on (loaded 2-core machine). ``kill=True`` (an interrupted run: stop and) terminates busy workers
    instead of waiting for their shards. A shard is written under temp names and renamed when complete, so a
    killed one leaves nothing that the rerun resuming the run does not sweep and redo.
    """
    global _POOL, _STOPPING
    with _POOL_LOCK:
        _STOPPING = stop or kill
        if _POOL is not None:
            if kill:
                # ProcessPoolExecutor has no public way to stop a running call before Python 3.14's
                # terminate_workers(); its process table is the one the executor itself terminates on a broken pool.
                for process in list((getattr(_POOL, "_processes", None) or {}).values()):
                    if process.is_alive():
                        process.terminate()
            _POOL.shutdown(wait=wait, cancel_futures=True)
            _POOL = None


def execute(mode: str, workers: int, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a worker (mode ``processes``) or in the calling thread (any other mode)."""
    if mode == "processes":
        return pool(workers).submit(fn, *args).result()
    return fn(*args)
