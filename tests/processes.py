"""Process helpers for the tests that kill or interrupt runs: children, command lines and liveness from /proc."""

from __future__ import annotations

import time
from pathlib import Path


def alive_children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` and that have not exited (a zombie has exited)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def cmdline(pid: int) -> bytes:
    """The NUL-separated command line of ``pid``; empty once it has exited."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:  # it has just exited
        return b""


def worker_pids(pid: int) -> set[int]:
    """The live multiprocessing (spawn) worker processes of ``pid``."""
    return {p for p in alive_children(pid) if b"spawn_main" in cmdline(p)}


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait up to ``timeout`` seconds for ``pids`` to exit; return those still alive."""
    deadline = time.monotonic() + timeout
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
