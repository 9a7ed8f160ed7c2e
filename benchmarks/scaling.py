"""Scaling curve of ``sieve run``: docs/s and peak memory per worker for several corpus sizes and worker counts.

    .venv/bin/python benchmarks/scaling.py [--n 10000 50000 200000] [--workers 1 2] [--runner processes dask]
                                           [--doc-bytes 2000] [--target-mb 8] [--config FILE] [--api-url URL]

The corpora are the ones of ``benchmarks/throughput.py`` (same generator, same cache in ``--out``: synthetic English
documents of about ``--doc-bytes`` bytes, 5% exact duplicates). The config is throughput.py's effective config
(every stage off but exact dedup, unless ``--as-configured``) with ``shards.target_bytes`` set to ``--target-mb`` so
even the smallest corpus spreads over several shards and a second worker has something to do.

One ``prefect server start`` (loopback, temporary PREFECT_HOME) serves every run unless ``--api-url`` is given: the
runs measure Sieve, not the start-up of a temporary API per run, and Dask workers (``--runner dask``) can reach it.
Each run is ``sieve run <data> --lake <tmp> --json --workers W --task-runner R`` as a subprocess; its process tree is
polled every 0.2 s with psutil. Reported: wall seconds, the flow's own seconds (from its JSON summary), docs/s over
the flow's seconds, the flow process's peak RSS and the largest peak RSS of any one worker process (the process
pool's spawned workers, or the Dask workers), plus the number of worker processes seen.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


def throughput_module() -> Any:
    """benchmarks/throughput.py, loaded by path (generator, effective config, sieve command, machine info)."""
    spec = importlib.util.spec_from_file_location("sieve_bench_throughput", HERE / "throughput.py")
    if spec is None or spec.loader is None:
        raise SystemExit("benchmarks/throughput.py is needed (it owns the corpus generator)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_server(home: Path) -> tuple[subprocess.Popen, str, float]:
    """``prefect server start`` on a free loopback port; return the process, its API URL and start-up seconds."""
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_LOGGING_LEVEL": "WARNING", "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    started = time.perf_counter()
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "prefect"), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    while time.perf_counter() - started < 300:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url, time.perf_counter() - started
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"prefect server exited with code {proc.returncode}")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("prefect server did not become healthy in 300 s")


def _is_worker(cmdline: list[str]) -> bool:
    joined = " ".join(cmdline)
    if "resource_tracker" in joined or "semaphore_tracker" in joined:
        return False
    return "spawn_main" in joined or "distributed" in joined or "forkserver" in joined


def run_once(sieve: list[str], data: Path, config: Path, workers: int, runner: str, api_url: str) -> dict[str, Any]:
    """One ``sieve run`` in a fresh lake; per-process peak RSS of the flow process and of each worker process."""
    import psutil

    lake = Path(tempfile.mkdtemp(prefix="sieve-scale-lake-"))
    cmd = [*sieve, "run", str(data), "--lake", str(lake), "--dataset", "bench", "--config", str(config), "--json",
           "--workers", str(workers), "--task-runner", runner]
    env = {**os.environ, "PREFECT_API_URL": api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    out_path = lake.parent / f"{lake.name}.out"
    peaks: dict[int, int] = {}
    kinds: dict[int, str] = {}
    with out_path.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        root = psutil.Process(child.pid)
        while child.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if p.pid not in kinds:
                        kinds[p.pid] = "flow" if p.pid == child.pid else (
                            "worker" if _is_worker(p.cmdline()) else "other")
                except psutil.Error:
                    continue
                peaks[p.pid] = max(peaks.get(p.pid, 0), rss)
            time.sleep(0.2)
        wall = time.perf_counter() - started
    text = out_path.read_text(errors="replace")
    out_path.unlink(missing_ok=True)
    shutil.rmtree(lake, ignore_errors=True)
    summary: dict[str, Any] = {}
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            break
    worker_peaks = [v for pid, v in peaks.items() if kinds.get(pid) == "worker"]
    result = {"wall": wall, "returncode": child.returncode, "summary": summary,
              "flow_peak": peaks.get(child.pid, 0), "worker_peak": max(worker_peaks, default=0),
              "worker_procs": len(worker_peaks), "other_peak": max((v for pid, v in peaks.items()
                                                                   if kinds.get(pid) == "other"), default=0)}
    if child.returncode != 0 or not summary:
        result["error"] = " | ".join(text.strip().splitlines()[-3:]) or f"exit code {child.returncode}"
    return result


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown table of the curve."""
    mib = 2**20
    lines = ["| N | runner | workers | shards | wall s | flow s | docs/s (flow) | flow RSS MiB | peak RSS per worker "
             "MiB | worker procs | counts |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        s = r["summary"]
        if r.get("error"):
            lines.append(f"| {r['n']:,} | {r['runner']} | {r['workers']} | - | {r['wall']:.1f} | - | - | "
                         f"{r['flow_peak'] / mib:,.0f} | - | - | FAILED: {r['error'][:160]} |")
            continue
        counts = ", ".join(f"{k}={v}" for k, v in sorted(s.get("counts", {}).items()) if v)
        lines.append(f"| {r['n']:,} | {r['runner']} | {r['workers']} | {s.get('shards')} | {r['wall']:.1f} | "
                     f"{s['seconds']:.1f} | {r['n'] / s['seconds']:,.0f} | {r['flow_peak'] / mib:,.0f} | "
                     f"{r['worker_peak'] / mib:,.0f} | {r['worker_procs']} | {counts} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate (or reuse) the corpora, run every (N, runner, workers), print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runner", nargs="+", default=["processes"], choices=["processes", "dask", "threads"])
    parser.add_argument("--doc-bytes", type=int, default=2000)
    parser.add_argument("--target-mb", type=float, default=8.0, help="shards.target_bytes in MiB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--config", type=Path, default=HERE / "exact_only.yaml")
    parser.add_argument("--as-configured", action="store_true", help="use --config's stages verbatim")
    parser.add_argument("--api-url", help="an existing Prefect API (default: start one for the benchmark)")
    args = parser.parse_args(argv)
    tp = throughput_module()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    data = {}
    for n in args.n:
        path, meta = tp.generate(out, n, args.doc_bytes, args.seed)
        how = "cached" if meta["cached"] else f"generated in {meta['generate_seconds']:.0f} s"
        print(f"data: {path} ({n:,} docs, {meta['bytes'] / 2**20:,.1f} MiB, {how})", flush=True)
        data[n] = path
    base, enabled = tp.effective_config(args.config.resolve(), out, args.as_configured)
    raw = yaml.safe_load(base.read_text()) or {}
    raw.setdefault("shards", {})["target_bytes"] = int(args.target_mb * 2**20)
    config = out / "scaling-config.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=True))
    info = tp.machine()
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info.get('memory_gib', '?')} GiB; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; commit {info.get('commit')}")
    print(f"config: {config} (stages on: {', '.join(enabled) or 'none'}; shards of {args.target_mb} MiB)")
    server, home = None, None
    api_url = args.api_url
    if not api_url:
        home = Path(tempfile.mkdtemp(prefix="sieve-scale-prefect-"))
        server, api_url, secs = start_server(home)
        print(f"prefect server: {api_url} (healthy after {secs:.1f} s; not part of any run's time)")
    rows = []
    try:
        for n in args.n:
            for runner in args.runner:
                for w in args.workers:
                    r = run_once(tp.sieve_command(), data[n], config, w, runner, api_url)
                    r.update(n=n, workers=w, runner=runner)
                    rows.append(r)
                    s = r["summary"]
                    print(f"  N={n:,} {runner} x{w}: wall {r['wall']:.1f} s, flow {s.get('seconds', 0):.1f} s, "
                          f"{'FAILED ' + r['error'] if r.get('error') else 'ok'}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
            shutil.rmtree(home, ignore_errors=True)
    print()
    print(table(rows))
    (out / "scaling.json").write_text(json.dumps({"machine": info, "rows": rows}, indent=1, default=str) + "\n")
    return 1 if any(r.get("error") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
