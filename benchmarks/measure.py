"""The machine a benchmark runs on (cores, CPU model, memory, load, commit) and what its processes use (time, RSS)."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory and software versions of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version()}
    if hasattr(os, "sched_getaffinity"):
        info["usable_cores"] = len(os.sched_getaffinity(0))
    try:
        import psutil

        info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["commit"] = None
    return info


def machine_line() -> str:
    """One line for a report: cores, CPU model, memory and the load average now (a shared box shows here)."""
    info = machine()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    memory = f", {info['memory_gib']} GiB" if "memory_gib" in info else ""
    return f"{info['nproc']} cores, {info['cpu']}{memory}, Python {info['python']}, load average {load:.1f}"


def tree_rss(proc: Any) -> int:
    """Resident bytes of ``proc`` and all its descendants (processes that vanish meanwhile count as 0)."""
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; return wall seconds, CPU seconds of the tree, peak RSS (MiB) of the tree and its last JSON line."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}):\n{err[-3000:]}")
    last = [line for line in out.splitlines() if line.startswith("{")]
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_mib": peak / 2**20, "result": json.loads(last[-1]) if last else {}}
