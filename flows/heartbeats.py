"""Prefect's flow-run heartbeats for ``sieve run``, without waiting up to a second for their thread at the end.

Against a Prefect server of the user's (``PREFECT_API_URL``), a flow run sends heartbeats from a daemon thread, so
the server can tell a run whose process died (SIGKILL, the OOM killer) from one still working. That thread sleeps
in 1 s steps and Prefect's synchronous engine joins it when the flow ends (its asynchronous engine does not): the
join waited for the rest of the current step, 0-1 s of every run (0.69 s of a 4.2 s, 10,000-document run here;
measured with py-spy). ``heartbeats_not_joined`` makes the synchronous engine leave the thread as the asynchronous
one does: it is stopped all the same (its stop event is set), sends nothing after the run's final state (it checks
the state before each beat) and ends at its next 1 s step, or with the process.

It wraps a private Prefect function; when a Prefect release no longer has it, or no longer has its
``join_on_exit`` switch, nothing is changed (the runs only take the join's time again; tests/test_heartbeats.py
says so).
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def joinable_heartbeats() -> bool:
    """Whether this Prefect's flow engine has the heartbeat function and switch that ``heartbeats_not_joined`` sets."""
    from prefect import flow_engine

    send = getattr(flow_engine, "_send_heartbeats", None)
    return callable(send) and "join_on_exit" in inspect.signature(send).parameters


#: How many blocks are open, and Prefect's own function while any is: the first block in swaps it, the last one
#: out puts it back, so blocks of several threads (or nested ones) never leave the wrapper in place or restore one.
_OPEN = {"blocks": 0, "original": None}
_LOCK = threading.Lock()


@contextmanager
def heartbeats_not_joined() -> Iterator[None]:
    """Within the block, flow runs started in this process stop their heartbeat thread without joining it."""
    if not joinable_heartbeats():
        yield
        return
    from prefect import flow_engine

    with _LOCK:
        if not _OPEN["blocks"]:
            _OPEN["original"] = flow_engine._send_heartbeats
            flow_engine._send_heartbeats = functools.partial(_OPEN["original"], join_on_exit=False)
        _OPEN["blocks"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _OPEN["blocks"] -= 1
            if not _OPEN["blocks"]:
                flow_engine._send_heartbeats = _OPEN["original"]
